/** The Cohort host: start-up, configuration and wiring. */
package io.cohort.platform;
