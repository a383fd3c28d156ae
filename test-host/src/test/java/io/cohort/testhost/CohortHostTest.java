package io.cohort.testhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.AdminHttp;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as a plugin author uses it: one host for the class, with an experiment and the MTurk emulator. */
class CohortHostTest {

    @RegisterExtension
    static final CohortHost cohort = CohortHost.builder()
            .experiment("hello", Map.of("experiment.yaml", """
                    name: hello
                    title: Hello
                    pages:
                      - name: end
                        kind: end
                    """))
            .mturk()
            .build();

    @Test
    void theAdminIsLoggedInAndTheExperimentIsThere() {
        AdminHttp.Response sessions = cohort.admin().get("/admin/sessions");
        assertEquals(200, sessions.status(), sessions.body());
        assertTrue(sessions.body().contains("hello"), "the test's experiment is offered");
        assertEquals(302, cohort.visitor().get("/admin/sessions").status(), "a visitor is sent to the login");
        assertTrue(cohort.home()
                .resolve("experiments/hello/experiment.yaml")
                .toFile()
                .isFile());
    }

    @Test
    void theEmulatorAndTheVersionAreAtHand() {
        assertTrue(
                cohort.mturkEmulator().endpoint().toString().startsWith("http://127.0.0.1:"),
                cohort.mturkEmulator().endpoint().toString());
        assertTrue(CohortHost.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), CohortHost.version());
        assertEquals(200, cohort.admin().get("/healthz").status());
    }
}
