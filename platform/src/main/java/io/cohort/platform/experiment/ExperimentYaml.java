package io.cohort.platform.experiment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Field;
import io.cohort.api.experiment.FieldType;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.experiment.Setting;
import io.cohort.api.experiment.SettingType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads one {@code experiment.yaml} into an {@link Experiment}, checking everything the runtime relies on.
 * Every problem is reported with the file, the line (where the YAML parser knows it) and the field's path, e.g.
 * {@code experiments/stroop/experiment.yaml line 12: pages[1].kind: 'quiz' is not one of form, wait, script}.
 */
public final class ExperimentYaml {

    /** Experiment and page names appear in URLs and data exports: keep them plain. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    /** Field names are keys in participants' data and in the page script's {@code cohort.fields}. */
    static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** SnakeYAML's limits, tight: a deep nest or an oversized bundle file must fail fast, not fill the heap. */
    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().loaderOptions(loaderOptions()).build());

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> ROOT_KEYS = List.of(
            "name", "title", "version", "language", "groupSize", "conditions", "settings", "completion", "pages");
    private static final List<String> PAGE_KEYS = List.of("name", "kind", "template", "fields", "bot");
    private static final List<String> FIELD_KEYS =
            List.of("name", "type", "label", "required", "min", "max", "choices");
    private static final List<String> SETTING_KEYS = List.of("type", "default", "label", "min", "max", "choices");
    private static final List<String> CONDITION_KEYS = List.of("name", "weight");
    private static final List<String> COMPLETION_KEYS = List.of("code", "redirect");

    private final String source;
    private final Map<String, Integer> lines;
    private final List<String> problems = new ArrayList<>();
    /** The settings as declared (or inferred from plain defaults), in the file's order. */
    private final List<Setting> declared = new ArrayList<>();

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(ExperimentCatalog.MAX_BYTES);
        return options;
    }

    private ExperimentYaml(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    /**
     * @param source       how messages name the file, e.g. {@code experiments/stroop/experiment.yaml}
     * @param expectedName the folder's name (or the bundle's {@code cohort.experiment}); {@code name} must equal it
     * @param fileExists   whether a path relative to the experiment's folder names a file there
     * @throws InvalidExperiment listing every problem found
     */
    public static Experiment read(byte[] yaml, String source, String expectedName, Predicate<String> fileExists)
            throws InvalidExperiment {
        JsonNode root;
        Map<String, Integer> lines;
        try {
            root = YAML.readTree(yaml);
            lines = lines(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new InvalidExperiment(List.of(source + (line > 0 ? " line " + line : "") + ": not valid YAML: "
                    + parserReason(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new InvalidExperiment(List.of(source + ": cannot be read: " + e.getMessage()));
        }
        ExperimentYaml reader = new ExperimentYaml(source, lines);
        Experiment experiment = reader.experiment(root, expectedName, fileExists);
        if (!reader.problems.isEmpty()) {
            throw new InvalidExperiment(reader.problems);
        }
        return experiment;
    }

    /** SnakeYAML's message without the excerpts it repeats ("in 'reader', line 8" and the marked source line). */
    private static String parserReason(String message) {
        List<String> reasons = new ArrayList<>();
        for (String line : message.split("\\R")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && !reasons.contains(line.strip())) {
                reasons.add(line.strip());
            }
        }
        return reasons.isEmpty() ? message.strip() : String.join(": ", reasons);
    }

    /** The line of every key and array element, by JSON pointer ({@code /pages/1/kind}). */
    private static Map<String, Integer> lines(byte[] yaml) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                // A structure's start token already opened its own context: the element it is sits in the parent.
                JsonStreamContext context =
                        token.isStructStart() ? parser.getParsingContext().getParent() : parser.getParsingContext();
                if (token == JsonToken.FIELD_NAME || (context != null && context.inArray())) {
                    lines.putIfAbsent(
                            context.pathAsPointer().toString(),
                            parser.currentTokenLocation().getLineNr());
                }
            }
        }
        return lines;
    }

    private Experiment experiment(JsonNode root, String expectedName, Predicate<String> fileExists) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add(source + ": is empty");
            return null;
        }
        if (!root.isObject()) {
            problems.add(source + ": must be a mapping of name, title, version, pages, ...");
            return null;
        }
        knownKeys(root, "", ROOT_KEYS);
        String name = text(root, "name", true);
        if (name != null && !name.equals(expectedName)) {
            problem("name", "'" + name + "' must equal the folder's name '" + expectedName + "'");
        }
        String title = text(root, "title", false);
        String version = version(root);
        String language = text(root, "language", false);
        if (language != null && !language.matches("[a-z]{2}")) {
            problem("language", "'" + language + "' is not a two-letter language code such as en, de, es or ja");
            language = null;
        }
        int groupSize = integer(root, "groupSize", 1, 1, "groupSize");
        List<Condition> conditions = conditions(root.get("conditions"));
        String settings = settings(root.get("settings"));
        String[] completion = completion(root.get("completion"));
        List<Page> pages = pages(root.get("pages"), fileExists);
        return new Experiment(
                expectedName,
                title == null ? expectedName : title,
                version,
                pages,
                conditions,
                groupSize,
                settings,
                completion[0],
                completion[1],
                List.copyOf(declared),
                language);
    }

    private String version(JsonNode root) {
        JsonNode node = root.get("version");
        if (node == null || node.isNull()) {
            problem("version", "is missing (the code version recorded on every participant, e.g. \"1.0\")");
            return null;
        }
        if (node.isFloatingPointNumber()) {
            // YAML reads 1.10 as the number 1.1: what was written is already lost.
            problem(
                    "version",
                    node.asText() + " is a number; quote it (version: \"" + node.asText()
                            + "\") so it is kept exactly as written");
            return null;
        }
        if (!node.isTextual() && !node.isIntegralNumber() || node.asText().isBlank()) {
            problem("version", "must be non-empty text, e.g. \"1.0\"");
            return null;
        }
        return node.asText().strip();
    }

    private List<Condition> conditions(JsonNode node) {
        List<Condition> conditions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, JsonNode> item :
                mappings(node, "conditions", CONDITION_KEYS).entrySet()) {
            String path = item.getKey();
            JsonNode c = item.getValue();
            String name = text(c, "name", true, path + ".name");
            if (name != null && !names.add(name)) {
                problem(path + ".name", "'" + name + "' is used by another condition");
            }
            int weight = integer(c, "weight", 1, 1, path + ".weight");
            conditions.add(new Condition(name, weight));
        }
        return conditions;
    }

    /**
     * The {@code settings} mapping: each key a setting, its value either the default ({@code rounds: 3}, typed by
     * the value) or a declaration ({@code centsPerPoint: {type: int, default: 10, min: 0, max: 100, label: ...}}).
     * Fills {@link #declared}; returns the defaults as one JSON object.
     */
    private String settings(JsonNode node) {
        if (node == null || node.isNull()) {
            return "{}";
        }
        if (!node.isObject()) {
            problem("settings", "must be a mapping of setting names to defaults or declarations {type, default, ...}");
            return "{}";
        }
        com.fasterxml.jackson.databind.node.ObjectNode defaults = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            String path = "settings." + name;
            JsonNode value = entry.getValue();
            if (!FIELD_NAME.matcher(name).matches()) {
                problem(path, "'" + name + "' must be a letter or '_' followed by letters, digits or '_'");
                continue;
            }
            Setting setting = isDeclaration(value) ? declaration(name, value, path) : inferred(name, value);
            if (setting == null) {
                continue;
            }
            declared.add(setting);
            if (setting.defaultJson() != null) {
                try {
                    defaults.set(name, JSON.readTree(setting.defaultJson()));
                } catch (JsonProcessingException e) {
                    problem(path, "cannot be written as JSON: " + e.getOriginalMessage());
                }
            }
        }
        return defaults.toString();
    }

    /** A mapping with a {@code type} and nothing but declaration keys declares a setting. */
    private static boolean isDeclaration(JsonNode value) {
        if (!value.isObject() || !value.has("type") || !value.get("type").isTextual()) {
            return false;
        }
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            if (!SETTING_KEYS.contains(names.next())) {
                return false;
            }
        }
        return true;
    }

    private Setting inferred(String name, JsonNode value) {
        if (value.isNull()) {
            problem("settings." + name, "has no value; give a default or a declaration {type: ..., default: ...}");
            return null;
        }
        return new Setting(name, SessionSettings.typeOf(value), value.toString(), null, null, List.of(), name);
    }

    private Setting declaration(String name, JsonNode d, String path) {
        SettingType type = choice(d, "type", path + ".type", SettingType.class);
        String label = text(d, "label", false, path + ".label");
        Double min = number(d, "min", path + ".min");
        Double max = number(d, "max", path + ".max");
        List<String> choices = choices(d.get("choices"), path + ".choices");
        if (type == null) {
            return null;
        }
        boolean numeric = type == SettingType.INT || type == SettingType.DECIMAL;
        if (!numeric && (min != null || max != null)) {
            problem(path + (min != null ? ".min" : ".max"), "only int and decimal settings have bounds");
        }
        if (min != null && max != null && min > max) {
            problem(path + ".min", "min " + plain(min) + " is greater than max " + plain(max));
        }
        if (type == SettingType.CHOICE && choices.isEmpty()) {
            problem(path + ".choices", "a choice setting needs at least one choice");
        }
        JsonNode def = d.get("default");
        Setting setting = new Setting(
                name,
                type,
                def == null || def.isNull() ? null : def.toString(),
                min,
                max,
                choices,
                label == null ? name : label);
        if (def != null && !def.isNull()) {
            String wrong = SessionSettings.problem(setting, def);
            if (wrong != null) {
                problem(path + ".default", wrong);
            }
        }
        return setting;
    }

    /** code and redirect, each null when absent. */
    private String[] completion(JsonNode node) {
        String[] completion = new String[2];
        if (node == null || node.isNull()) {
            return completion;
        }
        if (!node.isObject()) {
            problem("completion", "must be a mapping {code, redirect}");
            return completion;
        }
        knownKeys(node, "completion", COMPLETION_KEYS);
        completion[0] = text(node, "code", false, "completion.code");
        String redirect = text(node, "redirect", false, "completion.redirect");
        if (redirect != null && !isWebAddress(redirect)) {
            problem("completion.redirect", "'" + redirect + "' is not an http:// or https:// address");
            redirect = null;
        }
        completion[1] = redirect;
        return completion;
    }

    static boolean isWebAddress(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private List<Page> pages(JsonNode node, Predicate<String> fileExists) {
        List<Page> pages = new ArrayList<>();
        if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
            problem("pages", "an experiment needs at least one page");
            return pages;
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, JsonNode> item :
                mappings(node, "pages", PAGE_KEYS).entrySet()) {
            String path = item.getKey();
            JsonNode p = item.getValue();
            String name = text(p, "name", true, path + ".name");
            if (name != null && !NAME.matcher(name).matches()) {
                problem(path + ".name", "'" + name + "' may hold only letters, digits, '.', '_' and '-'");
            } else if (name != null && !names.add(name)) {
                problem(path + ".name", "'" + name + "' is the name of an earlier page");
            }
            PageKind kind = choice(p, "kind", path + ".kind", PageKind.class);
            String template = text(p, "template", false, path + ".template");
            if (template == null && kind != null && kind != PageKind.WAIT) {
                problem(path + ".template", "is missing (a " + lower(kind) + " page needs its template)");
            } else if (template != null && !ExperimentCatalog.isSafePath(template)) {
                problem(
                        path + ".template",
                        "'" + template + "' must be a relative path inside the experiment's folder");
            } else if (template != null && !fileExists.test(template)) {
                problem(path + ".template", "'" + template + "' does not exist in the experiment's folder");
            }
            List<Field> fields = fields(p.get("fields"), path + ".fields", kind);
            pages.add(new Page(name, kind, template, fields, bot(p.get("bot"), path + ".bot", name)));
        }
        return pages;
    }

    /** A page's {@code bot:} section (what a simulated participant does there) as JSON object text, or null. */
    private String bot(JsonNode node, String path, String page) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problem(path, "page '" + page + "': bot must be a mapping (e.g. values: and records:), not " + node);
            return null;
        }
        return node.toString();
    }

    private List<Field> fields(JsonNode node, String path, PageKind kind) {
        List<Field> fields = new ArrayList<>();
        if (kind != null && kind != PageKind.FORM && node != null && node.isArray() && !node.isEmpty()) {
            problem(path, "only form pages have fields (this is a " + lower(kind) + " page)");
            return fields;
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, JsonNode> item : mappings(node, path, FIELD_KEYS).entrySet()) {
            String at = item.getKey();
            JsonNode f = item.getValue();
            String name = text(f, "name", true, at + ".name");
            if (name != null && !FIELD_NAME.matcher(name).matches()) {
                problem(at + ".name", "'" + name + "' must be a letter or '_' followed by letters, digits or '_'");
            } else if (name != null && !names.add(name)) {
                problem(at + ".name", "'" + name + "' is the name of an earlier field on this page");
            }
            FieldType type = choice(f, "type", at + ".type", FieldType.class);
            String label = text(f, "label", false, at + ".label");
            boolean required = bool(f, "required", at + ".required");
            Double min = number(f, "min", at + ".min");
            Double max = number(f, "max", at + ".max");
            List<String> choices = choices(f.get("choices"), at + ".choices");
            if (type != null) {
                fieldConstraints(type, at, min, max, choices);
            }
            fields.add(new Field(name, type, label == null ? name : label, required, min, max, choices));
        }
        return fields;
    }

    private void fieldConstraints(FieldType type, String at, Double min, Double max, List<String> choices) {
        boolean numeric = type == FieldType.INT || type == FieldType.DECIMAL || type == FieldType.SCALE;
        if (!numeric && (min != null || max != null)) {
            problem(at + (min != null ? ".min" : ".max"), "only int, decimal and scale fields have bounds");
        }
        if (type == FieldType.SCALE && (min == null || max == null)) {
            problem(at + (min == null ? ".min" : ".max"), "is missing (a scale needs min and max)");
        }
        if (type == FieldType.INT || type == FieldType.SCALE) {
            wholeNumber(min, at + ".min");
            wholeNumber(max, at + ".max");
        }
        if (min != null && max != null && min > max) {
            problem(at + ".min", "min " + plain(min) + " is greater than max " + plain(max));
        }
        if (type == FieldType.CHOICE && choices.isEmpty()) {
            problem(at + ".choices", "a choice field needs at least one choice");
        }
        if (type != FieldType.CHOICE && !choices.isEmpty()) {
            problem(at + ".choices", "only choice fields have choices");
        }
    }

    private void wholeNumber(Double bound, String path) {
        if (bound != null && bound != Math.rint(bound)) {
            problem(path, bound + " is not a whole number");
        }
    }

    private List<String> choices(JsonNode node, String path) {
        List<String> choices = new ArrayList<>();
        if (node == null || node.isNull()) {
            return choices;
        }
        if (!node.isArray()) {
            problem(path, "must be a list, e.g. [left, right]");
            return choices;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode c = node.get(i);
            if (!c.isValueNode() || c.isNull() || c.asText().isBlank()) {
                problem(path + "[" + i + "]", "must be non-empty text");
            } else if (choices.contains(c.asText())) {
                problem(path + "[" + i + "]", "'" + c.asText() + "' is listed twice");
            } else {
                choices.add(c.asText());
            }
        }
        return choices;
    }

    /**
     * The elements of a list of mappings by their paths ({@code pages[0]} → node), their keys checked against
     * {@code keys}; an absent list is empty, anything else that is not a list of mappings is a problem.
     */
    private Map<String, JsonNode> mappings(JsonNode node, String path, List<String> keys) {
        Map<String, JsonNode> items = new LinkedHashMap<>();
        String shape = "{" + String.join(", ", keys) + "}";
        if (node == null || node.isNull()) {
            return items;
        }
        if (!node.isArray()) {
            problem(path, "must be a list of mappings " + shape);
            return items;
        }
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            if (!node.get(i).isObject()) {
                problem(at, "must be a mapping " + shape);
                continue;
            }
            knownKeys(node.get(i), at, keys);
            items.put(at, node.get(i));
        }
        return items;
    }

    private void knownKeys(JsonNode node, String path, List<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!known.contains(key)) {
                problem(
                        path.isEmpty() ? key : path + "." + key,
                        "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private String text(JsonNode parent, String key, boolean required) {
        return text(parent, key, required, key);
    }

    private String text(JsonNode parent, String key, boolean required, String path) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            if (required) {
                problem(path, "is missing");
            }
            return null;
        }
        if (!node.isValueNode() || node.asText().isBlank()) {
            problem(path, "must be non-empty text");
            return null;
        }
        return node.asText().strip();
    }

    private int integer(JsonNode parent, String key, int fallback, int min, String path) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            problem(path, "'" + node.asText() + "' is not a whole number");
            return fallback;
        }
        if (node.intValue() < min) {
            problem(path, node.intValue() + " is less than " + min);
            return fallback;
        }
        return node.intValue();
    }

    private Double number(JsonNode parent, String key, String path) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            problem(path, "'" + node.asText() + "' is not a number");
            return null;
        }
        return node.doubleValue();
    }

    private boolean bool(JsonNode parent, String key, String path) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            problem(path, "'" + node.asText() + "' is not true or false");
            return false;
        }
        return node.booleanValue();
    }

    private <E extends Enum<E>> E choice(JsonNode parent, String key, String path, Class<E> type) {
        E[] values = type.getEnumConstants();
        List<String> names = new ArrayList<>();
        for (E value : values) {
            names.add(lower(value));
        }
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            problem(path, "is missing (one of " + String.join(", ", names) + ")");
            return null;
        }
        int index = names.indexOf(node.asText());
        if (!node.isTextual() || index < 0) {
            problem(path, "'" + node.asText() + "' is not one of " + String.join(", ", names));
            return null;
        }
        return values[index];
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String plain(double number) {
        return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
    }

    /** Records a problem at {@code path} ({@code pages[1].kind}), on the line of the nearest node the file has. */
    private void problem(String path, String message) {
        String pointer = "/" + path.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
        Integer line = null;
        while (line == null && !pointer.isEmpty()) {
            line = lines.get(pointer);
            pointer = pointer.substring(0, pointer.lastIndexOf('/'));
        }
        problems.add(source + (line != null ? " line " + line : "") + ": " + path + ": " + message);
    }

    /** An experiment.yaml that cannot be used, with every reason. */
    public static final class InvalidExperiment extends Exception {

        private final List<String> problems;

        InvalidExperiment(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
