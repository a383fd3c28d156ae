package io.cohort.platform.web;

import com.google.inject.Singleton;
import java.util.function.BooleanSupplier;

/** Whether this node has finished starting: {@code /healthz} answers 503 until it has. */
@Singleton
public final class Readiness implements BooleanSupplier {

    private volatile boolean ready;

    public void ready() {
        ready = true;
    }

    @Override
    public boolean getAsBoolean() {
        return ready;
    }
}
