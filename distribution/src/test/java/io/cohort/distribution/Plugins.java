package io.cohort.distribution;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Rows of {@code GET /api/plugins}, read with the API token. */
final class Plugins {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row; {@code id} is null for a file in deploy/ that is no bundle. */
    record Row(
            Long id,
            String symbolicName,
            String name,
            String version,
            String state,
            String error,
            String location,
            boolean boot) {}

    private final AdminHttp api;

    Plugins(AdminHttp api) {
        this.api = api;
    }

    List<Row> list() {
        AdminHttp.Response r = api.get("/api/plugins");
        if (r.status() != 200) {
            throw new AssertionError("GET /api/plugins: " + r);
        }
        try {
            return List.of(JSON.readValue(r.body(), Row[].class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<Row> bySymbolicName(String symbolicName) {
        return list().stream()
                .filter(p -> symbolicName.equals(p.symbolicName()))
                .findFirst();
    }

    /** A row of a file that is no bundle, by its file name. */
    Optional<Row> byFileName(String fileName) {
        return list().stream()
                .filter(p -> p.id() == null && Objects.equals(fileName, p.name()))
                .findFirst();
    }
}
