/** Crowd markets (MTurk first): HITs, assignments, bonuses, qualifications. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cohort.api.crowd;
