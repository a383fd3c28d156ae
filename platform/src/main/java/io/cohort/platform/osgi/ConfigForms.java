package io.cohort.platform.osgi;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Configuration forms generated from a plugin's Metatype, saved to ConfigAdmin. Passwords are never shown back;
 * an empty password field keeps the stored one.
 */
@Singleton
public final class ConfigForms implements AutoCloseable {

    private final Whiteboard<MetaTypeService> metatype;
    private final Whiteboard<ConfigurationAdmin> configAdmin;
    private final org.osgi.framework.ServiceRegistration<?> listener;
    private final org.osgi.framework.BundleListener bundles;
    private final BundleContext context;

    @Inject
    public ConfigForms(BundleContext context) {
        metatype = Whiteboard.ownClassSpace(context, MetaTypeService.class);
        configAdmin = Whiteboard.ownClassSpace(context, ConfigurationAdmin.class);
        // A .cfg dropped into deploy/ with a bad value would otherwise only show when someone opens the form.
        listener = context.registerService(
                org.osgi.service.cm.ConfigurationListener.class, event -> check(context, event.getPid()), null);
        // ...and a .cfg that came before its plugin is checked when the plugin starts.
        bundles = event -> {
            if (event.getType() == org.osgi.framework.BundleEvent.STARTED) {
                pids(event.getBundle()).forEach(pid -> check(context, pid));
            }
        };
        context.addBundleListener(bundles);
        this.context = context;
    }

    /** One field of a form. */
    public record Field(
            String id, String name, String description, String type, String value, List<Map<String, String>> options) {}

    /** A form: one configuration PID; {@code problems} name the stored values its definition refuses. */
    public record Form(String pid, String name, String description, List<Field> fields, List<String> problems) {}

    /** The PIDs a bundle describes with Metatype. */
    public List<String> pids(Bundle bundle) {
        MetaTypeService service = metatype.first().orElse(null);
        if (service == null) {
            return List.of();
        }
        MetaTypeInformation info = service.getMetaTypeInformation(bundle);
        return info == null || info.getPids() == null ? List.of() : List.of(info.getPids());
    }

    public Form form(Bundle bundle, String pid) throws IOException {
        ObjectClassDefinition ocd = definition(bundle, pid);
        Dictionary<String, Object> current = configuration(pid).getProperties();
        List<Field> fields = new ArrayList<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            Object value = current == null ? null : current.get(ad.getID());
            String shown = value != null
                    ? valueText(value)
                    : ad.getDefaultValue() == null ? "" : String.join(",", ad.getDefaultValue());
            List<Map<String, String>> options = new ArrayList<>();
            if (ad.getOptionValues() != null) {
                for (int i = 0; i < ad.getOptionValues().length; i++) {
                    options.add(Map.of("value", ad.getOptionValues()[i], "label", ad.getOptionLabels()[i]));
                }
            }
            String type = typeName(ad.getType());
            fields.add(new Field(
                    ad.getID(),
                    ad.getName(),
                    ad.getDescription(),
                    type,
                    type.equals("password") ? "" : shown,
                    options));
        }
        return new Form(pid, ocd.getName(), ocd.getDescription(), fields, problems(ocd, current));
    }

    /**
     * The stored values (typically typed into a {@code .cfg} file, so text) that the definition refuses, each naming
     * its key and value: {@code ratePerSecond: 'abc' is not a Integer}. The plugin would fall back or fail quietly.
     */
    static List<String> problems(ObjectClassDefinition ocd, Dictionary<String, Object> values) {
        List<String> problems = new ArrayList<>();
        if (values == null) {
            return problems;
        }
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            Object value = values.get(ad.getID());
            if (!(value instanceof String raw)
                    || ad.getType() == AttributeDefinition.STRING
                    || ad.getType() == AttributeDefinition.PASSWORD) {
                continue;
            }
            String problem = ad.validate(raw.trim());
            if (problem != null && !problem.isEmpty()) {
                problems.add(ad.getID() + ": '" + raw + "' " + problem);
                continue;
            }
            try {
                convert(ad, raw.trim());
            } catch (IllegalArgumentException e) {
                problems.add(ad.getID() + ": '" + raw + "' " + e.getMessage());
            }
        }
        return problems;
    }

    /** Logs, naming the key, each value of a configuration just made or changed that its plugin's definition refuses. */
    public void check(BundleContext context, String pid) {
        MetaTypeService service = metatype.first().orElse(null);
        if (service == null || pid == null) {
            return;
        }
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = service.getMetaTypeInformation(b);
            if (info == null
                    || info.getPids() == null
                    || !List.of(info.getPids()).contains(pid)) {
                continue;
            }
            try {
                Object filename = configuration(pid).getProperties() == null
                        ? null
                        : configuration(pid).getProperties().get("felix.fileinstall.filename");
                for (String problem : problems(
                        info.getObjectClassDefinition(pid, null),
                        configuration(pid).getProperties())) {
                    org.slf4j.LoggerFactory.getLogger(ConfigForms.class)
                            .warn(
                                    "Configuration {}{}: {}",
                                    pid,
                                    filename == null
                                            ? ""
                                            : " (" + filename.toString().replaceAll(".*/", "") + ")",
                                    problem);
                }
            } catch (IOException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ConfigForms.class).debug("cannot check {}: {}", pid, e.getMessage());
            }
        }
    }

    /**
     * Validates every field against its definition and saves them all, or none: the exception names each
     * field that is wrong.
     */
    public void save(Bundle bundle, String pid, Map<String, String> input) throws IOException {
        ObjectClassDefinition ocd = definition(bundle, pid);
        Configuration config = configuration(pid);
        Dictionary<String, Object> props = config.getProperties() == null ? new Hashtable<>() : config.getProperties();
        List<String> errors = new ArrayList<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            String raw = input.getOrDefault(ad.getID(), ad.getType() == AttributeDefinition.BOOLEAN ? "false" : "")
                    .trim();
            if (ad.getType() == AttributeDefinition.PASSWORD && raw.isEmpty() && props.get(ad.getID()) != null) {
                continue;
            }
            String problem = ad.validate(raw);
            if (problem != null && !problem.isEmpty()) {
                errors.add(ad.getID() + ": " + problem);
                continue;
            }
            try {
                props.put(ad.getID(), convert(ad, raw));
            } catch (IllegalArgumentException e) {
                errors.add(ad.getID() + ": '" + raw + "' " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        config.update(props);
        writeBack(props);
    }

    /**
     * A configuration that came from a {@code .cfg} in deploy/ is written back there (temporary file, then an atomic
     * rename), so a restart, when FileInstall reads the file again, keeps the admin's edit.
     */
    private static void writeBack(Dictionary<String, Object> props) throws IOException {
        Object filename = props.get("felix.fileinstall.filename");
        if (filename == null) {
            return;
        }
        java.nio.file.Path file = java.nio.file.Path.of(java.net.URI.create(filename.toString()));
        java.util.Properties out = new java.util.Properties();
        for (java.util.Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (key.equals("service.pid") || key.equals("service.factoryPid") || key.startsWith("felix.fileinstall.")) {
                continue;
            }
            Object value = props.get(key);
            out.setProperty(
                    key,
                    value instanceof Object[] array
                            ? String.join(
                                    ",",
                                    java.util.Arrays.stream(array)
                                            .map(String::valueOf)
                                            .toList())
                            : String.valueOf(value));
        }
        java.nio.file.Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(temp)) {
            out.store(w, "written by the Cohort admin's Plugins page");
        }
        java.nio.file.Files.move(
                temp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private ObjectClassDefinition definition(Bundle bundle, String pid) {
        MetaTypeService service = metatype.first().orElse(null);
        MetaTypeInformation info = service == null ? null : service.getMetaTypeInformation(bundle);
        if (info == null || !List.of(info.getPids()).contains(pid)) {
            throw new IllegalArgumentException(
                    "bundle " + bundle.getSymbolicName() + " describes no configuration '" + pid + "'");
        }
        return info.getObjectClassDefinition(pid, null);
    }

    private Configuration configuration(String pid) throws IOException {
        ConfigurationAdmin admin = configAdmin.first().orElse(null);
        if (admin == null) {
            throw new IllegalStateException("ConfigAdmin is not running");
        }
        // Location "?" so the configuration reaches the plugin, not the system bundle (docs/architecture.md, pitfall
        // 6).
        return admin.getConfiguration(pid, "?");
    }

    private static Object convert(AttributeDefinition ad, String raw) {
        if (ad.getCardinality() != 0) {
            List<String> parts = raw.isEmpty() ? List.of() : List.of(raw.split("\\s*,\\s*"));
            String[] values = parts.toArray(String[]::new);
            Object[] converted = new Object[values.length];
            for (int i = 0; i < values.length; i++) {
                converted[i] = scalar(ad.getType(), values[i]);
            }
            return converted.length == 0 ? new String[0] : converted;
        }
        return scalar(ad.getType(), raw);
    }

    private static Object scalar(int type, String raw) {
        try {
            return switch (type) {
                case AttributeDefinition.INTEGER -> Integer.valueOf(raw);
                case AttributeDefinition.LONG -> Long.valueOf(raw);
                case AttributeDefinition.DOUBLE -> Double.valueOf(raw);
                case AttributeDefinition.FLOAT -> Float.valueOf(raw);
                case AttributeDefinition.BOOLEAN -> Boolean.valueOf(raw);
                default -> raw;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a number");
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG, AttributeDefinition.SHORT -> "integer";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "text";
        };
    }

    private static String valueText(Object value) {
        if (value instanceof Object[] array) {
            List<String> parts = new ArrayList<>();
            for (Object o : array) {
                parts.add(String.valueOf(o));
            }
            return String.join(",", parts);
        }
        return String.valueOf(value);
    }

    @Override
    public void close() {
        try {
            listener.unregister();
            context.removeBundleListener(bundles);
        } catch (IllegalStateException alreadyGone) {
            // the framework stopped first
        }
        metatype.close();
        configAdmin.close();
    }
}
