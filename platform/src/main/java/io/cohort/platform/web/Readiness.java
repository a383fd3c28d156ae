package io.cohort.platform.web;

import com.google.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/**
 * Whether this node has finished starting and is not stopping ({@code /healthz} answers 503 otherwise), and how
 * many requests it is answering: a stopping node lets those finish before its server stops.
 */
@Singleton
public final class Readiness implements BooleanSupplier {

    private volatile boolean ready;
    private final AtomicInteger inFlight = new AtomicInteger();

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

    /** Requests being answered now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Waits until no request is being answered, at most {@code limit}; returns how many still were. */
    public int awaitIdle(Duration limit) {
        long until = System.nanoTime() + limit.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return inFlight.get();
    }

    /** Counts the requests in flight; first in the chain. */
    Filter counter() {
        return new Filter() {
            @Override
            public void init(javax.servlet.FilterConfig config) {}

            @Override
            public void destroy() {}

            @Override
            public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                    throws IOException, ServletException {
                inFlight.incrementAndGet();
                try {
                    chain.doFilter(req, res);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
    }
}
