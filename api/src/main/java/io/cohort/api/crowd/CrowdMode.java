package io.cohort.api.crowd;

/** Sandbox spends no money; live does. */
public enum CrowdMode {
    SANDBOX,
    LIVE
}
