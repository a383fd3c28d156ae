/** Crowd markets (MTurk, Prolific): postings, submissions, bonuses, qualifications, balance. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.cohort.api.crowd;
