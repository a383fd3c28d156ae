package io.cohort.platform.web;

/** A request that cannot be answered as asked: 400 (a bad parameter, named in the message) or 404. */
public final class RequestError extends RuntimeException {

    private final int status;

    private RequestError(int status, String message) {
        super(message);
        this.status = status;
    }

    public static RequestError badParameter(String name, String value, String expected) {
        return new RequestError(400, "parameter '" + name + "': '" + value + "' is not " + expected);
    }

    public static RequestError notFound(String message) {
        return new RequestError(404, message);
    }

    public int status() {
        return status;
    }

    public String title() {
        return status == 404 ? "Not found" : "Bad request";
    }
}
