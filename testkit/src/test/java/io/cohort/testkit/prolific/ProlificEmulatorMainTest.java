package io.cohort.testkit.prolific;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Bad options stop ProlificEmulatorMain at once with exit code 2 and a line naming the option (serving is tested in
 * distribution's ProlificEmulatorIT).
 */
class ProlificEmulatorMainTest {

    private static String refused(String... args) {
        StringWriter err = new StringWriter();
        int code = ProlificEmulatorMain.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        return err.toString();
    }

    @Test
    void badOptionsAreNamed() throws Exception {
        assertTrue(refused("--port", "70000").contains("--port must be 0 to 65535, not 70000"));
        assertTrue(refused("--port", "0", "--balance", "ten").contains("--balance 'ten'"));
        assertTrue(refused("--rate", "-1").contains("--rate must be 0 (no limit) or more, not -1.0"));
        assertTrue(refused("--fee-percent", "120").contains("--fee-percent must be 0 to 100, not 120"));
        assertTrue(refused("--currency", "EUR").contains("--currency must be GBP or USD, not EUR"));
        assertTrue(refused("--token", "two words").contains("--token must be one word"));
        assertTrue(refused("--colour").contains("--colour"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(refused("--port", Integer.toString(taken.getLocalPort())).contains("is in use"));
        }
    }
}
