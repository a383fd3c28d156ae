package io.cohort.platform.web;

import com.google.inject.Singleton;
import java.util.function.BooleanSupplier;

/** Whether this node has finished starting and is not stopping: {@code /healthz} answers 503 otherwise. */
@Singleton
public final class Readiness implements BooleanSupplier {

    private volatile boolean ready;

    public void ready() {
        ready = true;
    }

    /** Stopping: a load balancer's health check sees 503 and sends new requests elsewhere. */
    public void draining() {
        ready = false;
    }

    @Override
    public boolean getAsBoolean() {
        return ready;
    }
}
