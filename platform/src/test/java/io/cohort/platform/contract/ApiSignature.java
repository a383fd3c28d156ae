package io.cohort.platform.contract;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the api promises, package by package: its version (from {@code package-info.java}) and one line per public
 * type and member, with each interface's role ({@code @ProviderType}: the host implements it; {@code @ConsumerType},
 * the default: plugins implement it). Read from compiled classes and their sources, so a modified copy can be checked
 * the same way as the real api.
 */
record ApiSignature(Map<String, Package> packages) {

    /**
     * The api module's folder as the platform's tests see it: the guard lives here, in the api's first consumer, so
     * the api itself depends on nothing but the JDK and the OSGi annotations.
     */
    static final Path API = Path.of("..", "api");

    record Package(String name, Version version, TreeSet<String> lines) {}

    record Version(int major, int minor, int micro) implements Comparable<Version> {
        static Version parse(String text) {
            String[] p = text.split("\\.");
            return new Version(
                    Integer.parseInt(p[0]),
                    p.length > 1 ? Integer.parseInt(p[1]) : 0,
                    p.length > 2 ? Integer.parseInt(p[2]) : 0);
        }

        @Override
        public int compareTo(Version o) {
            return major != o.major ? major - o.major : minor != o.minor ? minor - o.minor : micro - o.micro;
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }

    private static final Pattern VERSION =
            Pattern.compile("@(?:org\\.osgi\\.annotation\\.versioning\\.)?Version\\(\"([^\"]+)\"\\)");

    /** The signature of the classes under {@code classes}, compiled from {@code sources}. */
    static ApiSignature read(Path classes, Path sources) throws IOException {
        Map<String, Package> packages = new TreeMap<>();
        List<Path> packageInfos;
        try (Stream<Path> files = Files.walk(sources)) {
            packageInfos = files.filter(f -> f.getFileName().toString().equals("package-info.java"))
                    .toList();
        }
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (Path info : packageInfos) {
                Path folder = info.getParent();
                String name = sources.relativize(folder).toString().replace('/', '.');
                Matcher v = VERSION.matcher(Files.readString(info, StandardCharsets.UTF_8));
                if (!v.find()) {
                    throw new IllegalStateException(info + ": no @Version");
                }
                TreeSet<String> lines = new TreeSet<>();
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path source : files.filter(f -> f.toString().endsWith(".java")
                                    && !f.getFileName().toString().equals("package-info.java"))
                            .toList()) {
                        String simple = source.getFileName().toString().replace(".java", "");
                        String text = Files.readString(source, StandardCharsets.UTF_8);
                        Class<?> type = loader.loadClass(name + "." + simple);
                        describe(type, text, lines);
                    }
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("not compiled: " + e.getMessage(), e);
                }
                packages.put(name, new Package(name, Version.parse(v.group(1)), lines));
            }
        }
        return new ApiSignature(packages);
    }

    private static void describe(Class<?> type, String source, TreeSet<String> lines) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return;
        }
        String name = type.getName().substring(type.getPackageName().length() + 1);
        String kind = type.isAnnotation()
                ? "annotation"
                : type.isInterface() ? "interface" : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
        String role = type.isInterface() && !type.isAnnotation() ? " " + role(type.getSimpleName(), source) : "";
        lines.add("type " + name + " " + kind + role);
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers())) {
                lines.add("member " + name + " new(" + names(c.getGenericParameterTypes()) + ")");
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if ((Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()))
                    && !m.isSynthetic()
                    && !m.isBridge()) {
                String how = Modifier.isStatic(m.getModifiers())
                        ? "static "
                        : m.isDefault() ? "default " : Modifier.isAbstract(m.getModifiers()) ? "abstract " : "";
                lines.add(
                        "member " + name + " " + how + m.getGenericReturnType().getTypeName() + " " + m.getName() + "("
                                + names(m.getGenericParameterTypes()) + ")");
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if ((Modifier.isPublic(f.getModifiers()) || Modifier.isProtected(f.getModifiers())) && !f.isSynthetic()) {
                lines.add("member " + name + " field " + f.getGenericType().getTypeName() + " " + f.getName()
                        + constant(f));
            }
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            describe(nested, source, lines);
        }
    }

    /** A constant's value is part of the contract (service property names): plugins compile it in. */
    private static String constant(Field f) {
        if (!Modifier.isStatic(f.getModifiers())
                || !Modifier.isFinal(f.getModifiers())
                || !(f.getType().isPrimitive() || f.getType() == String.class)) {
            return "";
        }
        try {
            return " = " + f.get(null);
        } catch (IllegalAccessException e) {
            return "";
        }
    }

    private static String names(java.lang.reflect.Type[] types) {
        return String.join(
                ", ",
                Arrays.stream(types).map(java.lang.reflect.Type::getTypeName).toList());
    }

    /** {@code @ProviderType} or {@code @ConsumerType} just before the interface's declaration; consumer by default. */
    private static String role(String simpleName, String source) {
        Matcher m = Pattern.compile("@(ProviderType|ConsumerType)\\s+(?:public\\s+)?interface\\s+" + simpleName + "\\b")
                .matcher(source);
        return m.find() && m.group(1).equals("ProviderType") ? "provider" : "consumer";
    }

    /** The signature as the checked-in file holds it. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Package p : packages.values()) {
            out.add("package " + p.name() + " " + p.version());
            p.lines().forEach(line -> out.add("  " + line));
        }
        return out;
    }

    static ApiSignature parse(List<String> lines) {
        Map<String, Package> packages = new TreeMap<>();
        Package current = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("package ")) {
                String[] p = line.split(" ");
                current = new Package(p[1], Version.parse(p[2]), new TreeSet<>());
                packages.put(p[1], current);
            } else {
                current.lines().add(line.trim());
            }
        }
        return new ApiSignature(packages);
    }

    /**
     * What {@code now} would break for code built against {@code before}, with the version each package needs, by
     * OSGi's semantic versioning: anything removed or changed needs a major bump; a new abstract method on a
     * consumer interface too (every plugin implementing it breaks); anything else added needs a minor bump.
     * Empty when every package's version covers its changes.
     */
    static List<String> problems(ApiSignature before, ApiSignature now) {
        List<String> problems = new ArrayList<>();
        for (Package old : before.packages().values()) {
            Package current = now.packages().get(old.name());
            if (current == null) {
                problems.add(old.name() + ": the package was removed, which breaks every plugin that imports it");
                continue;
            }
            TreeSet<String> removed = new TreeSet<>(old.lines());
            removed.removeAll(current.lines());
            TreeSet<String> added = new TreeSet<>(current.lines());
            added.removeAll(old.lines());
            Version v = old.version();
            Version need = null;
            String why = null;
            if (!removed.isEmpty()) {
                need = new Version(v.major() + 1, 0, 0);
                why = "removed or changed: " + removed.first();
            } else {
                for (String line : added) {
                    if (line.contains(" abstract ") && consumers(old).contains(line.split(" ")[1])) {
                        need = new Version(v.major() + 1, 0, 0);
                        why = "a method plugins must implement was added to a @ConsumerType interface: " + line;
                        break;
                    }
                }
                if (need == null && !added.isEmpty()) {
                    need = new Version(v.major(), v.minor() + 1, 0);
                    why = "added: " + added.first();
                }
            }
            if (need != null && current.version().compareTo(need) < 0) {
                problems.add(old.name() + ": " + why + " (" + (removed.size() + added.size()) + " change(s) in all);"
                        + " its version must be at least " + need + " but is " + current.version()
                        + " (set it in " + old.name().replace('.', '/') + "/package-info.java)");
            }
        }
        return problems;
    }

    private static List<String> consumers(Package p) {
        return p.lines().stream()
                .filter(l -> l.startsWith("type ") && l.endsWith(" interface consumer"))
                .map(l -> l.split(" ")[1])
                .toList();
    }
}
