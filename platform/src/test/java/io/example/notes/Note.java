package io.example.notes;

import java.time.OffsetDateTime;

/** A row of the test plugin's {@code note} table; lives only inside the test bundle at run time. */
public class Note {
    private Long id;
    private String body;
    private OffsetDateTime createdAt;

    public Long getId() {
        return id;
    }

    public void setId(Long id) {
        this.id = id;
    }

    public String getBody() {
        return body;
    }

    public void setBody(String body) {
        this.body = body;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(OffsetDateTime createdAt) {
        this.createdAt = createdAt;
    }
}
