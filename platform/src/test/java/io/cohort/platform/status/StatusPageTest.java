package io.cohort.platform.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    @Test
    void secretsAreMaskedByValueAsWellAsByName() {
        Map<String, String> shown = StatusPage.environment(Map.of(
                "COHORT_DB_URL", "jdbc:postgresql://db.lab:5432/cohort?user=cohort&password=hunter2&ssl=true",
                "MIRROR", "postgres://cohort:s3cr3t@db.lab/cohort",
                "LAB_HOOK", "x9Fk2LmQ7pR4sT8vW1yZ3bN6cD0eG5hJ",
                "ADMIN_PASSWORD", "plain",
                "PATH", "/usr/local/sbin:/usr/local/bin:/usr/bin",
                "LANG", "C.UTF-8"));
        assertEquals(
                "jdbc:postgresql://db.lab:5432/cohort?user=cohort&password=••••••&ssl=true",
                shown.get("COHORT_DB_URL"));
        assertEquals("postgres://cohort:••••••@db.lab/cohort", shown.get("MIRROR"));
        assertEquals("••••••", shown.get("LAB_HOOK"), "a long random token");
        assertEquals("••••••", shown.get("ADMIN_PASSWORD"), "by name");
        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/bin", shown.get("PATH"));
        assertEquals("C.UTF-8", shown.get("LANG"));
    }
}
