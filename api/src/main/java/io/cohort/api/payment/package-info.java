/** The payment ledger: planned, sent and confirmed approvals, rejections, bonuses and qualifications. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cohort.api.payment;
