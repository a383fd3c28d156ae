package io.cohort.api.crowd;

/**
 * A provider refused or failed a request.
 *
 * @see #retryable()
 */
public class CrowdException extends RuntimeException {

    private final String code;
    private final boolean retryable;

    public CrowdException(String code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    /** The provider's own error code, e.g. {@code AWS.MechanicalTurk.InsufficientFunds}. */
    public String code() {
        return code;
    }

    /** True when the same request may succeed later (throttling, a service fault). */
    public boolean retryable() {
        return retryable;
    }
}
