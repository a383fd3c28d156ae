package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import ro.pippo.core.route.RouteContext;

/**
 * Who is asking: the connection's address, or, when that address is one of {@code http.trustedProxies}, the last
 * address in {@code X-Forwarded-For} that is not a trusted proxy. Without trusted proxies the header is ignored,
 * since anyone can send it.
 */
@Singleton
public final class ClientAddress {

    private final Set<String> trustedProxies;

    /** @param trustedProxies {@code http.trustedProxies}: addresses separated by commas or spaces; empty for none */
    @Inject
    public ClientAddress(Config config) {
        this(config.get("http.trustedProxies"));
    }

    public ClientAddress(String trustedProxies) {
        this.trustedProxies = Arrays.stream(trustedProxies == null ? new String[0] : trustedProxies.split("[,\\s]+"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    public String of(RouteContext ctx) {
        return of(ctx.getRequest().getHttpServletRequest().getRemoteAddr(), ctx.getHeader("X-Forwarded-For"));
    }

    String of(String remote, String forwardedFor) {
        if (!trustedProxies.contains(remote) || forwardedFor == null || forwardedFor.isBlank()) {
            return remote;
        }
        // Each proxy appends the address it saw: read from the right, past our own proxies.
        List<String> hops = Arrays.stream(forwardedFor.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
        for (int i = hops.size() - 1; i >= 0; i--) {
            if (!trustedProxies.contains(hops.get(i))) {
                return hops.get(i);
            }
        }
        return remote;
    }
}
