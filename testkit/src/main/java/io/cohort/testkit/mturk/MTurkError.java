package io.cohort.testkit.mturk;

/** An error answered on the wire as {@code {"__type": type, "Message": ...}} with the given HTTP status. */
final class MTurkError extends RuntimeException {
    final int status;
    final String type;
    final String turkErrorCode;

    private MTurkError(int status, String type, String turkErrorCode, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.turkErrorCode = turkErrorCode;
    }

    /** A RequestError (HTTP 400, not retried by the SDK); the code is appended to "AWS.MechanicalTurk." unless it starts with "AWS.". */
    static MTurkError request(String code, String message) {
        String full = code.startsWith("AWS.") ? code : "AWS.MechanicalTurk." + code;
        return new MTurkError(400, "RequestError", full, message + " (" + System.currentTimeMillis() + ")");
    }

    /** A value outside its pattern, length or range in the service model (HTTP 400, not retried). */
    static MTurkError validation(String message) {
        return new MTurkError(400, "ValidationException", null, message);
    }

    /** A member of the wrong JSON type: the service cannot read the request (HTTP 400, not retried). */
    static MTurkError serialization(String message) {
        return new MTurkError(400, "SerializationException", null, message);
    }

    static MTurkError serviceFault(String message) {
        return new MTurkError(500, "ServiceFault", null, message + " (" + System.currentTimeMillis() + ")");
    }

    static MTurkError throttled() {
        return new MTurkError(400, "ThrottlingException", null, "Rate exceeded");
    }

    static MTurkError missingAuthentication() {
        return new MTurkError(400, "MissingAuthenticationTokenException", null, "Missing Authentication Token");
    }

    static MTurkError invalidSignature(String message) {
        return new MTurkError(400, "InvalidSignatureException", null, message);
    }

    static MTurkError unrecognizedClient() {
        return new MTurkError(
                400, "UnrecognizedClientException", null, "The security token included in the request is invalid.");
    }

    static MTurkError unknownOperation(String target) {
        return new MTurkError(400, "UnknownOperationException", null, "Unknown operation " + target);
    }
}
