/** Crowd markets (MTurk, Prolific): postings, submissions, bonuses, qualifications, balance. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package io.cohort.api.crowd;
