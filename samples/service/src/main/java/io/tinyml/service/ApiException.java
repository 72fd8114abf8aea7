package io.tinyml.service;

/** An API error: an HTTP status and a one-line message, answered as {@code {"error": ..., "status": ...}}. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
