/** The payment ledger: planned, sent and confirmed approvals, rejections and bonuses. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cohort.api.payment;
