package io.cohort.platform.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build's guard on the contract: the api as compiled now against {@code api-signature.txt}, the api as last
 * recorded. An incompatible change without the version bump it needs fails here, naming the package, the change
 * and the version. A compatible change (or one with its bump) is recorded with
 * {@code ./mvnw -pl platform test -Dtest=ApiSignatureTest -Dapi.signature.update=true}, and the new file is committed with the change.
 */
class ApiSignatureTest {

    static final Path RECORDED = ApiSignature.API.resolve("api-signature.txt");

    @Test
    void theApiMatchesItsRecordedSignatureOrIsBumpedEnough() throws Exception {
        ApiSignature now = ApiSignature.read(
                ApiSignature.API.resolve("target/classes"), ApiSignature.API.resolve("src/main/java"));
        if (Boolean.getBoolean("api.signature.update") || !Files.exists(RECORDED)) {
            ApiSignature before = Files.exists(RECORDED)
                    ? ApiSignature.parse(Files.readAllLines(RECORDED, StandardCharsets.UTF_8))
                    : now;
            List<String> problems = ApiSignature.problems(before, now);
            if (!problems.isEmpty()) {
                fail("not recorded: the api changed without the version bumps it needs:\n"
                        + String.join("\n", problems));
            }
            Files.write(RECORDED, header(now.lines()), StandardCharsets.UTF_8);
            return;
        }
        ApiSignature recorded = ApiSignature.parse(Files.readAllLines(RECORDED, StandardCharsets.UTF_8));
        List<String> problems = ApiSignature.problems(recorded, now);
        if (!problems.isEmpty()) {
            fail("the api changed without the version bumps it needs:\n" + String.join("\n", problems));
        }
        assertEquals(
                recorded.lines(),
                now.lines(),
                "the api changed compatibly (or with its bump) since " + RECORDED
                        + " was written: record it with ./mvnw -pl platform test -Dtest=ApiSignatureTest -Dapi.signature.update=true");
    }

    private static List<String> header(List<String> lines) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(
                List.of(
                        "# The api as last recorded: each exported package's version and its public types and members.",
                        "# Checked by ApiSignatureTest on every build; rewritten by ./mvnw -pl platform test -Dtest=ApiSignatureTest -Dapi.signature.update=true"));
        all.addAll(lines);
        return all;
    }
}
