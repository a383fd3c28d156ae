package io.cohort.api.crowd;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented beside {@link CrowdProvider} by a provider whose market can approve a submission it rejected (MTurk's
 * OverrideRejection): the ledger's OVERRIDE rows go through it. A provider without it refuses such plans.
 */
@ConsumerType
public interface RejectionOverride {

    /** Approves a rejected submission, reversing the rejection: the worker is paid the reward after all. */
    void approveRejected(String submissionId, String feedback);
}
