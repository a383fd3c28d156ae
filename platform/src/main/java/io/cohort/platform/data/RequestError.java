package io.cohort.platform.data;

/** A request that cannot be answered as asked: 400 (a bad parameter, named in the message) or 404. */
final class RequestError extends RuntimeException {

    private final int status;

    private RequestError(int status, String message) {
        super(message);
        this.status = status;
    }

    static RequestError badParameter(String name, String value, String expected) {
        return new RequestError(400, "parameter '" + name + "': '" + value + "' is not " + expected);
    }

    static RequestError notFound(String message) {
        return new RequestError(404, message);
    }

    int status() {
        return status;
    }

    String title() {
        return status == 404 ? "Not found" : "Bad request";
    }
}
