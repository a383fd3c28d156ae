package io.cohort.platform.web;

import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;
import ro.pippo.core.route.RouteHandler;

/** A part of the admin interface that adds its own routes. */
public interface Tab {

    void routes(Application app);

    /** A route body that may throw checked exceptions (SQL, I/O); Pippo's error handler answers 500. */
    @FunctionalInterface
    interface Body {
        void handle(RouteContext ctx) throws Exception;
    }

    static RouteHandler<RouteContext> handler(Body body) {
        return ctx -> {
            try {
                body.handle(ctx);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }
}
