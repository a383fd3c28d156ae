package io.cohort.plugin.resultsimport.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A nodeGame game's results: its rooms keep their files in {@code data/roomNNNNNN/} (six digits); from each room of
 * the range the first of {@code bonus.csv}, {@code results.csv}, {@code codes.csv} is read, as nodegame-mturk does.
 */
final class GameFolder {

    static final List<String> FILES = List.of("bonus.csv", "results.csv", "codes.csv");
    private static final Pattern RANGE = Pattern.compile("\\s*(\\d{1,6})\\s*(?:-\\s*(\\d{1,6})\\s*)?");
    private static final int MAX_ROOMS = 100_000;

    /** A room of the range and the file read from it; {@code file} null when it has none. */
    record Room(String room, String file) {}

    record Loaded(List<Room> rooms, List<ResultRow> rows) {}

    private GameFolder() {}

    /**
     * @param rooms e.g. {@code 60-61} or {@code 60}
     * @throws IllegalArgumentException naming the game folder or the range when they are not usable
     */
    static Loaded load(Path game, String rooms, Columns columns) {
        if (!Files.isDirectory(game.resolve("data"))) {
            throw new IllegalArgumentException("game: " + game + " has no data folder (a nodeGame game keeps its"
                    + " rooms in data/room000001/...)");
        }
        Matcher range = RANGE.matcher(rooms == null ? "" : rooms);
        if (!range.matches()) {
            throw new IllegalArgumentException("rooms: '" + rooms + "' is not a room or a range such as 60-61");
        }
        int from = Integer.parseInt(range.group(1));
        int to = range.group(2) == null ? from : Integer.parseInt(range.group(2));
        if (to < from || to - from >= MAX_ROOMS) {
            throw new IllegalArgumentException("rooms: '" + rooms + "' is not a range from a room to a later one");
        }
        List<Room> found = new ArrayList<>();
        List<ResultRow> rows = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            String room = String.format("room%06d", n);
            Path folder = game.resolve("data").resolve(room);
            String file = null;
            for (String candidate : FILES) {
                if (Files.isRegularFile(folder.resolve(candidate))) {
                    file = candidate;
                    break;
                }
            }
            found.add(new Room(room, file));
            if (file != null) {
                String name = room + "/" + file;
                try {
                    rows.addAll(ResultsFile.read(
                            name, Files.readString(folder.resolve(file), StandardCharsets.UTF_8), columns));
                } catch (IOException e) {
                    throw new IllegalArgumentException(name + ": cannot be read: " + e.getMessage());
                }
            }
        }
        return new Loaded(found, rows);
    }
}
