package io.cohort.platform.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.launch.Framework;

/** Rooms through what people touch: the room's URL, its socket, the admin pages and the JSON API, on a real host. */
class RoomsTest {

    static final String TOKEN = "rooms-token";
    static final String PASSWORD = "rooms-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static InProcessNode node;
    static Framework framework;
    static Host host;
    static String db;
    static AdminHttp api;

    @BeforeAll
    static void start() throws Exception {
        Path pairs = Files.createDirectories(home.resolve("experiments/pairs"));
        Files.writeString(pairs.resolve("experiment.yaml"), """
                name: pairs
                title: Pairs
                version: "1.0"
                groupSize: 2
                settings: {rounds: 1}
                pages:
                  - {name: decide, kind: form, template: decide.peb}
                """);
        Files.writeString(
                pairs.resolve("decide.peb"),
                "{% extends \"participant.peb\" %}{% block content %}<h1 id=\"hello\">Welcome, {{ participant.name }}</h1>{% endblock %}");
        db = TestDatabase.create();
        node = InProcessNode.start(
                home,
                Map.of(
                        "COHORT_DB_URL",
                        db,
                        "COHORT_API_TOKEN",
                        TOKEN,
                        "COHORT_ADMIN_PASSWORD",
                        PASSWORD,
                        "COHORT_ROOM_JOINS_PER_MINUTE",
                        "40"));
        framework = node.framework();
        host = node.host();
        api = person().bearer(TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    /** A browser with no login: a participant. */
    static AdminHttp person() {
        return new AdminHttp(URI.create(host.url()));
    }

    static JsonNode json(AdminHttp.Response r) throws Exception {
        return JSON.readTree(r.body());
    }

    static AdminHttp.Response createRoom(String name, String join, String labels, int capacity) {
        return api.postForm(
                "/api/rooms",
                form(
                        "name",
                        name,
                        "experiment",
                        "pairs",
                        "join",
                        join,
                        "labels",
                        labels,
                        "capacity",
                        String.valueOf(capacity)));
    }

    static Map<String, String> form(String... kv) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            form.put(kv[i], kv[i + 1]);
        }
        return form;
    }

    static List<String> waitingLabels(String room) throws Exception {
        AdminHttp.Response r = api.get("/api/rooms/" + room + "/waiting");
        assertEquals(200, r.status(), r.toString());
        List<String> labels = new ArrayList<>();
        json(r).forEach(w -> labels.add(w.get("label").asText()));
        return labels;
    }

    static List<String> column(String sql, String... args) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    static List<String> audit(String action, String room) throws Exception {
        return column("SELECT actor FROM cohort.audit_log WHERE action = ? AND target = ? ORDER BY id", action, room);
    }

    @Test
    void createEditAndRefuseBadInput() throws Exception {
        AdminHttp.Response created = createRoom("lab1", "free", "", 4);
        assertEquals(201, created.status(), created.toString());
        JsonNode room = json(created);
        assertEquals("lab1", room.get("name").asText());
        assertEquals("pairs", room.get("experiment").asText());
        assertTrue(room.get("open").asBoolean());
        assertFalse(room.get("closed").asBoolean());
        assertTrue(room.get("sessionId").isNull());

        // Each refusal names its field and changes nothing.
        Map<String, AdminHttp.Response> refused = new LinkedHashMap<>();
        refused.put("name:", createRoom("bad name", "free", "", 4));
        refused.put(
                "experiment:",
                api.postForm(
                        "/api/rooms", form("name", "lab2", "experiment", "nope", "join", "free", "capacity", "3")));
        refused.put(
                "capacity:",
                api.postForm(
                        "/api/rooms", form("name", "lab2", "experiment", "pairs", "join", "free", "capacity", "many")));
        refused.put("labels:", createRoom("lab2", "restricted", " , ", 3));
        refused.put("join:", createRoom("lab2", "maybe", "a", 3));
        refused.put("name: a room called 'lab1' exists already", createRoom("lab1", "free", "", 9));
        refused.forEach((field, r) -> {
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.body().contains("\"error\":\"" + field), field + " → " + r.body());
        });
        assertEquals(404, api.get("/api/rooms/lab2").status());
        assertEquals(
                4, json(api.get("/api/rooms/lab1")).get("room").get("capacity").asInt());

        AdminHttp.Response edited = api.postForm(
                "/api/rooms/lab1/edit",
                form("experiment", "pairs", "join", "restricted", "labels", "a\nb, c", "capacity", "2"));
        assertEquals(200, edited.status(), edited.toString());
        assertEquals("[\"a\",\"b\",\"c\"]", json(edited).get("labels").toString());
        assertFalse(json(edited).get("open").asBoolean());
        AdminHttp.Response badEdit = api.postForm(
                "/api/rooms/lab1/edit", form("experiment", "pairs", "join", "free", "labels", "a,a", "capacity", "2"));
        assertEquals(400, badEdit.status());
        assertTrue(badEdit.body().contains("labels: each label may appear only once"), badEdit.body());
        JsonNode after = json(api.get("/api/rooms/lab1")).get("room");
        assertEquals(2, after.get("capacity").asInt());
        assertFalse(after.get("open").asBoolean());
        assertEquals(List.of("api"), audit("room.create", "lab1"));
        assertEquals(List.of("api"), audit("room.edit", "lab1"));
        assertEquals(
                404,
                api.postForm("/api/rooms/nowhere/edit", form("capacity", "2")).status());

        // The admin pages, as a logged-in browser with its CSRF token.
        AdminHttp admin = person();
        admin.login("admin", PASSWORD);
        AdminHttp.Response list = admin.get("/admin/rooms");
        assertEquals(200, list.status());
        assertTrue(list.body().contains("<a href=\"/admin/rooms\" class=\"current\">Rooms</a>"), list.body());
        assertTrue(list.body().contains("href=\"/admin/rooms/lab1\""), list.body());
        AdminHttp.Response made = admin.postForm(
                "/admin/rooms",
                form(
                        "name",
                        "lab-html",
                        "experiment",
                        "pairs",
                        "join",
                        "restricted",
                        "labels",
                        "<i>x</i>\nann",
                        "capacity",
                        "5"));
        assertEquals(302, made.status(), made.toString());
        assertEquals("/admin/rooms/lab-html", made.redirectPath());
        AdminHttp.Response page = admin.get("/admin/rooms/lab-html");
        assertTrue(page.body().contains("&lt;i&gt;x&lt;/i&gt;, ann"), page.body());
        assertFalse(page.body().contains("<i>x</i>"));
        assertEquals(List.of("admin"), audit("room.create", "lab-html"));
        AdminHttp.Response formError = admin.postForm(
                "/admin/rooms/lab-html/edit",
                form("experiment", "pairs", "join", "free", "labels", "", "capacity", "0"));
        assertEquals(400, formError.status());
        assertTrue(formError.body().contains("capacity: 0 is not between 1 and 10000"), formError.body());
        AdminHttp.Response noCsrf = admin.postFormAsIs("/admin/rooms/lab-html/close", Map.of());
        assertEquals(403, noCsrf.status());
        assertFalse(
                json(api.get("/api/rooms/lab-html")).get("room").get("closed").asBoolean());
    }

    @Test
    void aRestrictedRoomTakesOnlyTheLabelsOnItsList() throws Exception {
        assertEquals(201, createRoom("listed", "restricted", "alice\nbob", 5).status());
        AdminHttp alice = person();
        AdminHttp.Response ask = alice.get("/room/listed/");
        assertEquals(200, ask.status());
        assertTrue(ask.body().contains("name=\"label\""), ask.body());

        AdminHttp.Response mallory = person().get("/room/listed/?label=mallory");
        assertEquals(403, mallory.status());
        assertTrue(mallory.body().contains("This label is not on the list"), mallory.body());
        assertTrue(mallory.body().contains("The label &#39;mallory&#39; is not on this room"), mallory.body());
        assertEquals(List.of(), waitingLabels("listed"));

        AdminHttp.Response in = alice.get("/room/listed/?label=alice");
        assertEquals(200, in.status(), in.toString());
        assertTrue(in.body().contains("<strong id=\"label\">alice</strong>"), in.body());
        String seat = alice.cookie(RoomEntrance.SEAT_COOKIE);
        assertNotNull(seat);
        assertTrue(in.setCookie(RoomEntrance.SEAT_COOKIE).orElseThrow().contains("Path=/room/listed/"));
        // A reload keeps the place, and the same seat.
        AdminHttp.Response reload = alice.get("/room/listed/");
        assertEquals(200, reload.status());
        assertTrue(reload.body().contains("data-seat=\"" + seat + "\""));

        AdminHttp bob = person();
        AdminHttp.Response posted = bob.postFormAsIs("/room/listed/", form("label", "bob"));
        assertEquals(302, posted.status(), posted.toString());
        assertEquals("/room/listed/", posted.redirectPath());
        assertTrue(bob.get("/room/listed/").body().contains("<span id=\"waiting\">2</span> waiting"));
        assertEquals(List.of("alice", "bob"), waitingLabels("listed"));
        // A listed label is one person's: on another device it is the same seat, not a second one.
        AdminHttp aliceAgain = person();
        assertEquals(200, aliceAgain.get("/room/listed/?label=alice").status());
        assertEquals(seat, aliceAgain.cookie(RoomEntrance.SEAT_COOKIE));
        assertEquals(List.of("alice", "bob"), waitingLabels("listed"));
        JsonNode waiting = json(api.get("/api/rooms/listed")).get("waiting");
        assertTrue(waiting.get(0).get("online").asBoolean(), waiting.toString());
        assertNotNull(waiting.get(0).get("arrivedAt").asText());

        AdminHttp.Response blank = person().postFormAsIs("/room/listed/", form("label", ""));
        assertEquals(200, blank.status());
        assertTrue(blank.body().contains("name=\"label\""));
        assertEquals(2, waitingLabels("listed").size());
    }

    @Test
    void aFullRoomSaysSoAndAFreeLabelIsNotShared() throws Exception {
        assertEquals(201, createRoom("small", "free", "", 2).status());
        AdminHttp guest = person();
        AdminHttp.Response joined = guest.postFormAsIs("/room/small/", form("label", ""));
        assertEquals(302, joined.status());
        List<String> labels = waitingLabels("small");
        assertEquals(1, labels.size());
        assertTrue(labels.get(0).matches("guest-[a-z0-9]{6}"), labels.toString());

        assertEquals(200, person().get("/room/small/?label=ann").status());
        AdminHttp.Response taken = person().get("/room/small/?label=ann");
        assertEquals(409, taken.status());
        assertTrue(
                taken.body().contains("This label is taken: someone in this room already uses the label &#39;ann&#39;"),
                taken.body());

        AdminHttp.Response full = person().get("/room/small/?label=dan");
        assertEquals(409, full.status());
        assertTrue(full.body().contains("This room is full"), full.body());
        assertEquals(2, waitingLabels("small").size());
        // Who holds a seat keeps it.
        assertEquals(200, guest.get("/room/small/").status());
    }

    @Test
    void aClosedRoomRefusesArrivalsUntilReopened() throws Exception {
        assertEquals(201, createRoom("shut", "free", "", 5).status());
        AdminHttp early = person();
        assertEquals(200, early.get("/room/shut/?label=early").status());

        AdminHttp.Response closed = api.post("/api/rooms/shut/close");
        assertEquals(200, closed.status(), closed.toString());
        assertTrue(json(closed).get("closed").asBoolean());
        AdminHttp.Response late = person().get("/room/shut/?label=late");
        assertEquals(403, late.status());
        assertTrue(late.body().contains("This room is closed"), late.body());
        assertEquals(200, early.get("/room/shut/").status());
        assertEquals(List.of("early"), waitingLabels("shut"));

        assertFalse(json(api.post("/api/rooms/shut/reopen")).get("closed").asBoolean());
        assertEquals(200, person().get("/room/shut/?label=late").status());
        assertEquals(List.of("early", "late"), waitingLabels("shut"));
        assertEquals(List.of("api"), audit("room.close", "shut"));
        assertEquals(List.of("api"), audit("room.reopen", "shut"));
    }

    @Test
    void aSessionFromTheWaitingListSendsEachWaitingPersonToTheirSlot() throws Exception {
        assertEquals(
                201,
                createRoom("lab-s", "restricted", "alice, bob, carol, dave", 5).status());
        AdminHttp alice = person();
        AdminHttp bob = person();
        AdminHttp carol = person();
        assertEquals(200, alice.get("/room/lab-s/?label=alice").status());
        assertEquals(200, bob.get("/room/lab-s/?label=bob").status());

        JsonSocket aliceHears = JsonSocket.open(host.url(), "room", null)
                .send(Map.of("room", "lab-s", "seat", alice.cookie(RoomEntrance.SEAT_COOKIE)));
        assertEquals(2, aliceHears.next(m -> m.has("waiting")).get("waiting").asInt());
        AdminHttp admin = person();
        admin.login("admin", PASSWORD);
        JsonSocket monitor = JsonSocket.open(host.url(), "rooms", "cohort_admin=" + admin.cookie("cohort_admin"))
                .send(Map.of("room", "lab-s"));
        assertEquals(2, monitor.next(m -> m.has("waiting")).get("waiting").size());

        assertEquals(200, carol.get("/room/lab-s/?label=carol").status());
        assertEquals(
                3,
                aliceHears
                        .next(m -> m.path("waiting").asInt() == 3)
                        .get("waiting")
                        .asInt());
        JsonNode live = monitor.next(m -> m.path("waiting").size() == 3);
        assertEquals("carol", live.get("waiting").get(2).get("label").asText());
        assertTrue(live.get("waiting").get(0).get("online").asBoolean(), "alice has her socket open: " + live);
        assertEquals(Map.of("waiting", 3), JSON.convertValue(json(bob.get("/room/lab-s/status")), Map.class));

        AdminHttp.Response odd = api.postForm("/api/rooms/lab-s/session", form("settings", "{\"rounds\": 3}"));
        assertEquals(400, odd.status(), "3 waiting for a two-player game: " + odd);
        assertTrue(odd.body().contains("would leave 1 without a group"), odd.body());
        AdminHttp.Response made = api.postForm(
                "/api/rooms/lab-s/session", form("settings", "{\"rounds\": 3, \"incomplete_groups\": true}"));
        assertEquals(200, made.status(), made.toString());
        JsonNode result = json(made);
        String session = result.get("session").get("id").asText();
        assertEquals("pairs", result.get("session").get("experiment").asText());
        Map<String, String> urls = new LinkedHashMap<>();
        result.get("participants")
                .forEach(p -> urls.put(p.get("label").asText(), p.get("url").asText()));
        assertEquals(List.of("alice", "bob", "carol"), List.copyOf(urls.keySet()));
        assertEquals(
                List.of("alice", "bob", "carol"),
                column(
                        "SELECT name FROM cohort.participant WHERE session_id = ? AND label = name ORDER BY created_at, name",
                        session));
        assertEquals(List.of("3"), column("SELECT settings->>'rounds' FROM cohort.session WHERE id = ?", session));
        for (String label : urls.keySet()) {
            String token = column(
                            "SELECT token FROM cohort.participant WHERE session_id = ? AND name = ?", session, label)
                    .get(0);
            assertEquals("/p/" + session + "/" + token + "/", urls.get(label));
        }

        // Each waiting page now points at its participant: the socket, the poll, the page itself.
        assertEquals(
                urls.get("alice"), aliceHears.next(m -> m.has("url")).get("url").asText());
        assertEquals(
                urls.get("bob"), json(bob.get("/room/lab-s/status")).get("url").asText());
        AdminHttp.Response carolReload = carol.get("/room/lab-s/");
        assertEquals(302, carolReload.status());
        assertEquals(urls.get("carol"), carolReload.redirectPath());
        AdminHttp.Response carolsPage = carol.get(carolReload.redirectPath());
        assertEquals(200, carolsPage.status(), carolsPage.toString());
        assertTrue(carolsPage.body().contains("<h1 id=\"hello\">Welcome, carol</h1>"), carolsPage.body());
        // A pre-assigned label on another device goes straight to its participant; a label without a slot finds no
        // room.
        assertEquals(urls.get("bob"), person().get("/room/lab-s/?label=bob").redirectPath());
        AdminHttp.Response dave = person().get("/room/lab-s/?label=dave");
        assertEquals(409, dave.status());
        assertTrue(dave.body().contains("This room is full"));
        assertEquals(List.of(), waitingLabels("lab-s"));
        assertEquals(
                session,
                monitor.next(m -> m.path("room").path("sessionId").isTextual())
                        .get("room")
                        .get("sessionId")
                        .asText());

        AdminHttp.Response edit =
                api.postForm("/api/rooms/lab-s/edit", form("experiment", "pairs", "join", "free", "capacity", "9"));
        assertEquals(400, edit.status());
        assertTrue(edit.body().contains("feeds session " + session + "; disassociate it before editing"), edit.body());
        assertEquals(
                5, json(api.get("/api/rooms/lab-s")).get("room").get("capacity").asInt());
        AdminHttp.Response again = api.post("/api/rooms/lab-s/session");
        assertEquals(400, again.status());
        assertTrue(again.body().contains("already"), again.body());
        assertEquals(List.of("api"), audit("room.session", "lab-s"));
        AdminHttp.Response roomPage = admin.get("/admin/rooms/lab-s");
        assertTrue(
                roomPage.body().contains("Feeds session <a href=\"/admin/sessions/" + session + "\">"),
                roomPage.body());
        aliceHears.close();
        monitor.close();
    }

    @Test
    void theDashboardListsRoomsAndFollowsArrivals() throws Exception {
        assertEquals(201, createRoom("dash", "free", "", 3).status());
        AdminHttp admin = person();
        admin.login("admin", PASSWORD);
        assertTrue(admin.get("/admin/").body().contains("<td>dash</td><td>pairs</td><td>0</td>"));
        JsonSocket dashboard = JsonSocket.open(host.url(), "monitor", "cohort_admin=" + admin.cookie("cohort_admin"))
                .send(Map.of("watch", "dashboard"));
        dashboard.next(m -> m.path("type").asText().equals("dashboard"));
        assertEquals(200, person().get("/room/dash/?label=zoe").status());
        JsonNode rooms =
                dashboard.next(m -> m.path("type").asText().equals("rooms")).get("rooms");
        JsonNode dash = null;
        for (JsonNode r : rooms) {
            dash = r.get("room").get("name").asText().equals("dash") ? r : dash;
        }
        assertNotNull(dash, rooms.toString());
        assertEquals(1, dash.get("waiting").asInt());
        dashboard.close();
    }

    @Test
    void aDisassociatedRoomCanBeEditedAndFilledAgain() throws Exception {
        assertEquals(201, createRoom("reuse", "free", "", 3).status());
        AdminHttp.Response nothing = api.post("/api/rooms/reuse/session");
        assertEquals(400, nothing.status());
        assertTrue(nothing.body().contains("waiting list: nobody is waiting in room 'reuse'"), nothing.body());
        AdminHttp ann = person();
        assertEquals(200, ann.get("/room/reuse/?label=ann").status());
        AdminHttp.Response badSettings = api.postForm("/api/rooms/reuse/session", form("settings", "[1, 2]"));
        assertEquals(400, badSettings.status());
        assertTrue(badSettings.body().contains("settings: must be a JSON object"), badSettings.body());
        assertEquals(List.of("0"), column("SELECT count(*)::text FROM cohort.participant WHERE label = 'ann'"));
        assertEquals(List.of("ann"), waitingLabels("reuse"));
        assertTrue(
                json(api.get("/api/rooms/reuse")).get("room").get("sessionId").isNull());
        String first = json(api.postForm("/api/rooms/reuse/session", form("settings", "{\"incomplete_groups\": true}")))
                .get("session")
                .get("id")
                .asText();
        assertEquals(302, ann.get("/room/reuse/").status());

        AdminHttp.Response gone = api.post("/api/rooms/reuse/disassociate");
        assertEquals(200, gone.status(), gone.toString());
        assertTrue(json(gone).get("sessionId").isNull());
        assertEquals(List.of("api"), audit("room.disassociate", "reuse"));
        // The session goes on.
        assertEquals(List.of("true"), column("SELECT active::text FROM cohort.session WHERE id = ?", first));
        assertEquals(List.of("ann"), column("SELECT label FROM cohort.participant WHERE session_id = ?", first));
        assertEquals(400, api.post("/api/rooms/reuse/disassociate").status());

        // Ann's old seat is forgotten: she is a new arrival, and her label is free again.
        AdminHttp.Response back = ann.get("/room/reuse/");
        assertEquals(200, back.status());
        assertTrue(back.body().contains("name=\"label\""), back.body());
        assertEquals(200, ann.get("/room/reuse/?label=ann").status());
        assertEquals(List.of("ann"), waitingLabels("reuse"));
        assertEquals(
                200,
                api.postForm("/api/rooms/reuse/edit", form("experiment", "pairs", "join", "free", "capacity", "4"))
                        .status());
        String second = json(api.postForm(
                        "/api/rooms/reuse/session", form("settings", "{\"incomplete_groups\": true}")))
                .get("session")
                .get("id")
                .asText();
        assertNotEquals(first, second);
        String token = column("SELECT token FROM cohort.participant WHERE session_id = ? AND label = 'ann'", second)
                .get(0);
        assertEquals("/p/" + second + "/" + token + "/", ann.get("/room/reuse/").redirectPath());
    }

    @Test
    void aFreeLabelLeadsOnlyTheBrowserThatTookItToItsParticipant() throws Exception {
        assertEquals(201, createRoom("open-s", "free", "", 4).status());
        AdminHttp alice = person();
        AdminHttp bob = person();
        assertEquals(200, alice.get("/room/open-s/?label=alice").status());
        assertEquals(200, bob.get("/room/open-s/?label=bob").status());
        String session = json(api.post("/api/rooms/open-s/session"))
                .get("session")
                .get("id")
                .asText();
        String token = column("SELECT token FROM cohort.participant WHERE session_id = ? AND label = 'alice'", session)
                .get(0);
        assertEquals(
                "/p/" + session + "/" + token + "/", alice.get("/room/open-s/").redirectPath());

        // Anyone else typing her label once led straight to her participant URL.
        for (AdminHttp.Response stranger : List.of(
                person().get("/room/open-s/?label=alice"),
                person().postFormAsIs("/room/open-s/", form("label", "alice")))) {
            assertEquals(409, stranger.status(), stranger.toString());
            assertTrue(stranger.body().contains("This label is taken"), stranger.body());
            assertFalse(stranger.body().contains(token), "the participant's token leaked: " + stranger.body());
            assertEquals(null, stranger.header("location"));
        }
        assertEquals(
                List.of(token),
                column("SELECT token FROM cohort.participant WHERE session_id = ? AND label = 'alice'", session),
                "nothing new was made for her label");
        assertEquals(
                "/p/" + session + "/" + token + "/", alice.get("/room/open-s/").redirectPath());
    }

    @Test
    void oneAddressMakingTooManyArrivalsIsToldToWait() throws Exception {
        assertEquals(201, createRoom("busy", "free", "", 50).status());
        AdminHttp seated = person();
        assertEquals(200, seated.get("/room/busy/?label=seated").status());
        // From an address of its own (127.0.0.2), so the other tests' arrivals from 127.0.0.1 are not counted here.
        int limit = 40;
        String refused = null;
        int tries = 0;
        while (refused == null && tries < 2 * limit + 5) {
            tries++;
            String answer = getFrom("127.0.0.2", "/room/busy/");
            if (answer.startsWith("HTTP/1.1 429")) {
                refused = answer;
            } else {
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            }
        }
        assertTrue(refused != null, "no 429 in " + tries + " arrivals");
        assertTrue(tries > limit, "refused after only " + tries + " arrivals");
        assertTrue(refused.contains("Too many arrivals from your address"), refused);
        assertTrue(refused.toLowerCase(java.util.Locale.ROOT).contains("retry-after: "), refused);
        // A seat's reload is not an arrival, and other addresses are not held up.
        assertEquals(200, seated.get("/room/busy/").status());
        assertEquals(200, person().get("/room/busy/").status());
    }

    /** A GET sent from a given loopback address, whole answer as text. */
    static String getFrom(String address, String path) throws Exception {
        URI url = URI.create(host.url());
        try (java.net.Socket socket =
                new java.net.Socket(url.getHost(), url.getPort(), java.net.InetAddress.getByName(address), 0)) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
