package io.cohort.plugin.mturk.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** An {@link MTurkConfig} as DS would make it: the given values, the annotation's defaults for the rest. */
final class TestConfig {

    private TestConfig() {}

    static MTurkConfig of(Map<String, Object> values) {
        return (MTurkConfig) Proxy.newProxyInstance(
                MTurkConfig.class.getClassLoader(),
                new Class<?>[] {MTurkConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> MTurkConfig.class;
                    case "toString" -> "MTurkConfig" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }
}
