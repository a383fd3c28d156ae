package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.room.RoomFeed;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node holds which open sockets, and which nodes are alive. Each node beats every {@value #BEAT_SECONDS} s;
 * one whose last beat is older than {@value #DEAD_SECONDS} s is dead, and any node takes back what it held: its
 * participants go offline (unless another live node holds a socket of theirs) and its room waiting pages stop
 * counting. A node that stops cleanly closes its sockets and deletes its beat on the way out.
 * <p>Nodes are told apart by {@code node.name}: several nodes on one machine need a name each.
 */
@Singleton
public final class NodePresence implements AutoCloseable {

    static final int BEAT_SECONDS = 3;
    static final int DEAD_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(NodePresence.class);

    private final Transactions tx;
    private final String node;
    private final LiveFeed live;
    private final RoomFeed rooms;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cohort-node-presence");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public NodePresence(Transactions tx, Config config, LiveFeed live, RoomFeed rooms) {
        this.tx = tx;
        this.node = config.node();
        this.live = live;
        this.rooms = rooms;
        // What this node's name held before a crash and a quick restart: its sockets are gone.
        release(node);
        beat();
        timer.scheduleWithFixedDelay(this::tick, BEAT_SECONDS, BEAT_SECONDS, TimeUnit.SECONDS);
    }

    /** A socket of {@code kind} ({@code participant} or {@code seat}) for {@code target} opened on this node. */
    public void opened(String kind, String target) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.node_presence (node, kind, target,"
                    + " sockets) VALUES (?, ?, ?, 1) ON CONFLICT (node, kind, target)"
                    + " DO UPDATE SET sockets = node_presence.sockets + 1")) {
                ps.setString(1, node);
                ps.setString(2, kind);
                ps.setString(3, target);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** One closed here; true when a live node (this one or another) still holds one for the target. */
    public boolean closed(String kind, String target) {
        return tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.node_presence SET sockets = sockets - 1"
                    + " WHERE node = ? AND kind = ? AND target = ? AND sockets > 1")) {
                ps.setString(1, node);
                ps.setString(2, kind);
                ps.setString(3, target);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement delete = c.prepareStatement(
                            "DELETE FROM cohort.node_presence WHERE node = ? AND kind = ? AND target = ?")) {
                        delete.setString(1, node);
                        delete.setString(2, kind);
                        delete.setString(3, target);
                        delete.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM cohort.node_presence p"
                    + " JOIN cohort.node_heartbeat h ON h.node = p.node"
                    + " WHERE p.kind = ? AND p.target = ? AND h.beat_at > now() - make_interval(secs => ?)")) {
                ps.setString(1, kind);
                ps.setString(2, target);
                ps.setInt(3, DEAD_SECONDS);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private void tick() {
        try {
            beat();
            takeBackFromDeadNodes();
        } catch (RuntimeException e) {
            // Logged and tried again on the next tick: a scheduled task that throws is never run again.
            LOG.warn("node presence: {}", e.toString());
        }
    }

    private void beat() {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.node_heartbeat (node, beat_at)"
                    + " VALUES (?, now()) ON CONFLICT (node) DO UPDATE SET beat_at = now()")) {
                ps.setString(1, node);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** What dead nodes held, given back in one transaction per node; two live nodes never both do it. */
    void takeBackFromDeadNodes() {
        List<String> dead = tx.run(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT node FROM cohort.node_heartbeat"
                    + " WHERE beat_at < now() - make_interval(secs => ?) AND node <> ?")) {
                ps.setInt(1, DEAD_SECONDS);
                ps.setString(2, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            return names;
        });
        for (String gone : dead) {
            takeBack(gone, true);
        }
    }

    /** Gives back what {@code gone} held, whether or not it still beats (this node's own name at start and stop). */
    private void release(String gone) {
        takeBack(gone, false);
    }

    private void takeBack(String gone, boolean onlyIfDead) {
        tx.run(c -> {
            try (PreparedStatement lock = c.prepareStatement("DELETE FROM cohort.node_heartbeat WHERE node = ?"
                    + (onlyIfDead ? " AND beat_at < now() - make_interval(secs => ?)" : ""))) {
                lock.setString(1, gone);
                if (onlyIfDead) {
                    lock.setInt(2, DEAD_SECONDS);
                }
                if (lock.executeUpdate() == 0 && onlyIfDead) {
                    return null; // it beat again, or another node took it back first
                }
            }
            List<String[]> held = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM cohort.node_presence WHERE node = ? RETURNING kind, target, sockets")) {
                ps.setString(1, gone);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        held.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            for (String[] h : held) {
                if (h[0].equals("participant")) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.participant SET online = false"
                            + " WHERE id = ? AND online AND NOT EXISTS (SELECT 1 FROM cohort.node_presence p"
                            + " WHERE p.kind = 'participant' AND p.target = ?)")) {
                        ps.setString(1, h[1]);
                        ps.setString(2, h[1]);
                        if (ps.executeUpdate() > 0) {
                            live.changed(h[1]);
                        }
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.room_waiting"
                            + " SET sockets = greatest(sockets - ?, 0) WHERE seat = ? RETURNING room")) {
                        ps.setInt(1, Integer.parseInt(h[2]));
                        ps.setString(2, h[1]);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                rooms.changed(rs.getString(1));
                            }
                        }
                    }
                }
            }
            if (!held.isEmpty()) {
                LOG.warn("node {}: took back {} open sockets it held", gone, held.size());
            }
            return null;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            release(node);
        } catch (RuntimeException e) {
            LOG.debug("node presence: beat not removed: {}", e.getMessage());
        }
    }
}
