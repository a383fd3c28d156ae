package io.cohort.api.crowd;

/**
 * Whether a provider spends real money. {@code SANDBOX} is MTurk's sandbox, {@code TEST} a market's test set-up
 * with no real money (Prolific pointed at anything but its live API); {@code LIVE} pays. {@code BOT} marks a
 * simulated participant, who came from no market and is never paid.
 */
public enum CrowdMode {
    SANDBOX,
    TEST,
    LIVE,
    BOT
}
