package io.cohort.platform.session;

import io.cohort.platform.db.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Page submits that arrive together are written together: a few writer threads each take what is waiting (up to
 * {@value #MAX_BATCH}) and store it in one statement, one commit. Under load that turns hundreds of commits, each
 * waiting for its own disk flush, into a few; alone, a submit goes out at once. Each submit keeps its own guard
 * (token, active session, page index): one that no longer holds is answered "not moved" and takes the general path,
 * and so does every submit of a batch whose statement failed, so one bad submit never costs another its answers.
 */
final class SubmitBatches implements AutoCloseable {

    static final int MAX_BATCH = 100;
    /**
     * Writers: a third of the pool, from one to three. Each holds a connection while it writes, and page loads need
     * the rest; and several nodes sharing one PostgreSQL, each given a share of the connections, then write in
     * batches as large as one node with all of them would, instead of more, smaller commits.
     */
    static int writers(int poolSize) {
        return Math.max(1, Math.min(3, poolSize / 3));
    }

    private static final Logger LOG = LoggerFactory.getLogger(SubmitBatches.class);

    /** One participant's checked answers to the page they say they are on. */
    record Submit(
            String sessionId,
            String token,
            String experiment,
            int pageIndex,
            String page,
            String nextPage,
            Map<String, String> values,
            CompletableFuture<String> moved) {}

    private final Transactions tx;
    private final LiveFeed live;
    private final BlockingQueue<Submit> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean open = true;

    SubmitBatches(Transactions tx, LiveFeed live) {
        this.tx = tx;
        this.live = live;
        for (int i = 0, n = writers(tx.poolSize()); i < n; i++) {
            Thread t = new Thread(this::write, "cohort-submits-" + i);
            t.setDaemon(true);
            t.start();
            writers.add(t);
        }
    }

    /** @return the participant's id once stored and moved; null when the submit's guard did not hold */
    String submit(Submit s) throws InterruptedException {
        if (!open) {
            return null;
        }
        waiting.add(s);
        try {
            return s.moved().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    private void write() {
        List<Submit> batch = new ArrayList<>();
        while (open) {
            try {
                Submit first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, MAX_BATCH - 1);
                store(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("{} page submits go the general way: {}", batch.size(), e.getMessage());
                batch.forEach(s -> s.moved().complete(null));
            } finally {
                batch.clear();
            }
        }
    }

    private void store(List<Submit> batch) {
        int n = batch.size();
        List<Object> answerOf = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (Map.Entry<String, String> e : batch.get(i).values().entrySet()) {
                answerOf.add(i);
                keys.add(e.getKey());
                values.add(e.getValue());
            }
        }
        String[] moved = new String[n];
        tx.statements(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("WITH input AS (SELECT * FROM unnest(?::int[], ?::text[], ?::text[],"
                            + "   ?::text[], ?::int[], ?::text[], ?::text[]) AS i(n, token, session_id, experiment, page_index, page, next_page)),"
                            + " moved AS (UPDATE cohort.participant p SET page_index = i.page_index + 1, updated_at = now()"
                            + "   FROM input i, cohort.session s WHERE p.token = i.token AND p.session_id = i.session_id"
                            + "   AND s.id = p.session_id AND s.active AND s.experiment = i.experiment AND p.page_index = i.page_index"
                            + "   RETURNING i.n, p.id, i.page, i.next_page, i.page_index),"
                            + " answers AS (INSERT INTO cohort.field_value (participant_id, key, value, set_by)"
                            + "   SELECT m.id, a.key, a.value::jsonb, 'page:' || m.page FROM moved m"
                            + "   JOIN unnest(?::int[], ?::text[], ?::text[]) AS a(n, key, value) ON a.n = m.n),"
                            + " opened AS (INSERT INTO cohort.page_visit (participant_id, page_index, page)"
                            + "   SELECT id, page_index + 1, next_page FROM moved)"
                            + " SELECT n, id FROM moved")) {
                ps.setArray(1, c.createArrayOf("int4", range(n)));
                ps.setArray(
                        2,
                        c.createArrayOf(
                                "text", batch.stream().map(Submit::token).toArray()));
                ps.setArray(
                        3,
                        c.createArrayOf(
                                "text", batch.stream().map(Submit::sessionId).toArray()));
                ps.setArray(
                        4,
                        c.createArrayOf(
                                "text", batch.stream().map(Submit::experiment).toArray()));
                ps.setArray(
                        5,
                        c.createArrayOf(
                                "int4", batch.stream().map(Submit::pageIndex).toArray()));
                ps.setArray(
                        6,
                        c.createArrayOf("text", batch.stream().map(Submit::page).toArray()));
                ps.setArray(
                        7,
                        c.createArrayOf(
                                "text", batch.stream().map(Submit::nextPage).toArray()));
                ps.setArray(8, c.createArrayOf("int4", answerOf.toArray()));
                ps.setArray(9, c.createArrayOf("text", keys.toArray()));
                ps.setArray(10, c.createArrayOf("text", values.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        moved[rs.getInt("n")] = rs.getString("id");
                    }
                }
            }
            return null;
        });
        for (int i = 0; i < n; i++) {
            if (moved[i] != null) {
                live.changed(moved[i]);
            }
            batch.get(i).moved().complete(moved[i]);
        }
    }

    private static Object[] range(int n) {
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    @Override
    public void close() {
        open = false;
        writers.forEach(Thread::interrupt);
        List<Submit> left = new ArrayList<>();
        waiting.drainTo(left);
        left.forEach(s -> s.moved().complete(null));
    }
}
