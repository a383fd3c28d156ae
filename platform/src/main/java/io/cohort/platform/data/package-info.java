/**
 * Reading participants' data: the data browser, field histories, page times, streamed exports (CSV long and
 * wide, JSON) and the participants table across sessions. Read-only over {@code cohort.session},
 * {@code participant}, {@code field_value} and {@code page_visit}.
 */
package io.cohort.platform.data;
