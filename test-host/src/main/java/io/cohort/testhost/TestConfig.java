package io.cohort.testhost;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A plugin's configuration annotation (a Metatype {@code @ObjectClassDefinition}) as Declarative Services would make
 * it: the given values, the annotation's defaults for the rest. For testing a component outside a framework.
 */
public final class TestConfig {

    private TestConfig() {}

    public static <A> A of(Class<A> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.getOrDefault(method.getName(), method.getDefaultValue());
                }));
    }
}
