package io.cohort.platform.console;

/** A command that could not be done, with what to tell the lab (the command, argument or value it names). */
final class ConsoleError extends RuntimeException {

    ConsoleError(String message) {
        super(message);
    }
}
