package io.cohort.plugin.resultsimport.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Results import tab at {@code /admin/results-import}: the imports and the form to load one (a pasted file,
 * or a game folder and a range of rooms); {@code /{id}}: its summary, problems, what was already done, its rows and
 * batches, and the Settle button. Its JSON twin under {@code /api/results-import} is the console's API, so every
 * model is plain maps, lists, strings and numbers.
 */
@Component(
        service = AdminPage.class,
        property = {
            AdminPage.PATH + "=/results-import",
            AdminPage.MENU + "=Results import",
            AdminPage.MENU_ORDER + "=420"
        })
public final class ResultsImportTab implements AdminPage {

    static final String BASE = "/admin/results-import";
    private static final Pattern IMPORT_PATH = Pattern.compile("/(\\d{1,18})(/settle)?");

    private final ResultsImports imports;
    /** What the last action of each admin did, shown once on the page after the redirect. */
    private final Map<String, String> flashes = new ConcurrentHashMap<>();

    @Activate
    public ResultsImportTab(@Reference ResultsImports imports) {
        this.imports = imports;
    }

    @Override
    public View handle(PageRequest request) throws Exception {
        String path = request.subPath();
        Matcher m = IMPORT_PATH.matcher(path);
        long id = m.matches() ? Long.parseLong(m.group(1)) : 0;
        boolean settle = m.matches() && m.group(2) != null;
        if (request.method().equals("GET")) {
            if (path.isEmpty() || path.equals("/")) {
                return list(request.user());
            }
            if (id > 0 && !settle && imports.find(id).isPresent()) {
                return View.of("templates/import.peb", model(id, request.user()));
            }
            return View.of("templates/missing.peb", Map.of("path", BASE + path));
        }
        if (path.equals("/load")) {
            Settings settings = Settings.of(request.parameters());
            List<String> file = request.parameters().get("file");
            long created = imports.load(settings, file == null || file.isEmpty() ? null : file.get(0), request.user());
            return View.redirect(BASE + "/" + created);
        }
        if (id > 0 && settle) {
            try {
                boolean dry = "true".equalsIgnoreCase(first(request, "dry"));
                List<String> problems = imports.settle(id, dry, request.user());
                flashes.put(
                        request.user(),
                        dry
                                ? problems.isEmpty()
                                        ? "Dry run: every check passed; nothing was sent."
                                        : "Dry run: " + problems.size() + " problem(s); nothing was sent."
                                : problems.isEmpty()
                                        ? "Settling import " + id + "."
                                        : "Import " + id + " was refused: " + problems.size() + " problem(s).");
                if (dry) {
                    flashes.put(request.user() + "#dry", String.join("\n", problems));
                }
            } catch (IllegalArgumentException | IllegalStateException | CrowdException e) {
                flashes.put(request.user(), e.getMessage());
            }
            return View.redirect(BASE + "/" + id);
        }
        throw new IllegalArgumentException("There is no action at " + BASE + path);
    }

    private static String first(PageRequest request, String name) {
        List<String> v = request.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private View list(String user) {
        Map<String, Object> model = new HashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImportRecord r : imports.imports()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.id());
            row.put("name", r.name());
            row.put("state", r.state());
            row.put("created", r.createdAt() == null ? "" : r.createdAt().toString());
            rows.add(row);
        }
        model.put("imports", rows);
        String flash = flashes.remove(user);
        if (flash != null) {
            model.put("flash", flash);
        }
        return View.of("templates/imports.peb", model);
    }

    /** The import as the page and the console see it. */
    Map<String, Object> model(long id, String user) {
        ImportRecord r = imports.require(id);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", r.id());
        model.put("name", r.name());
        model.put("state", r.state());
        model.put("created", r.createdAt() == null ? "" : r.createdAt().toString());
        model.put("problems", ResultsImports.lines(r.problems()));
        List<Map<String, Object>> rooms = new ArrayList<>();
        for (String line : ResultsImports.lines(r.rooms())) {
            String[] kv = line.split("=", 2);
            Map<String, Object> room = new LinkedHashMap<>();
            room.put("room", kv[0]);
            room.put("file", kv.length > 1 ? kv[1] : "");
            rooms.add(room);
        }
        model.put("rooms", rooms);
        model.put("summary", Summary.parse(r.summary()));
        model.put("alreadyDone", ResultsImports.lines(r.alreadyDone()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImportRow row : imports.rows(id)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", row.line());
            m.put("file", row.file());
            m.put("workerId", row.workerId());
            m.put("assignmentId", row.assignmentId());
            m.put("hitId", row.hitId());
            m.put("decision", row.decision());
            m.put("bonus", Settings.dollars(row.bonusCents()));
            m.put("exit", row.exitCode());
            rows.add(m);
        }
        model.put("rows", rows);
        List<Map<String, Object>> batches = new ArrayList<>();
        for (Map.Entry<PaymentKind, PaymentBatch> e : imports.batches(id).entrySet()) {
            PaymentBatch b = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.id());
            m.put("kind", e.getKey().name());
            m.put("state", b.finished() != null ? "DONE" : "RUNNING");
            m.put("confirmed", b.confirmed());
            m.put("failed", b.failed());
            m.put("total", b.count());
            batches.add(m);
        }
        model.put("batches", batches);
        if (user != null) {
            String flash = flashes.remove(user);
            if (flash != null) {
                model.put("flash", flash);
            }
            String dry = flashes.remove(user + "#dry");
            if (dry != null) {
                model.put("dryRunProblems", ResultsImports.lines(dry));
            }
        }
        return model;
    }
}
