package io.cohort.testkit.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Bad options stop MTurkEmulatorMain at once with exit code 2 and a line naming the option (serving is tested in distribution's MTurkEmulatorIT). */
class MTurkEmulatorMainTest {

    private static String refused(String... args) {
        StringWriter err = new StringWriter();
        int code = MTurkEmulatorMain.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        return err.toString();
    }

    @Test
    void badOptionsAreNamed() throws Exception {
        assertTrue(refused("--port", "70000").contains("--port must be 0 to 65535, not 70000"));
        assertTrue(refused("--secret-key", "s").contains("--access-key-id and --secret-key go together"));
        assertTrue(refused("--port", "0", "--balance", "ten").contains("--balance 'ten'"));
        assertTrue(refused("--rate", "-1").contains("--rate"));
        assertTrue(refused("--colour").contains("--colour"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(refused("--port", Integer.toString(taken.getLocalPort())).contains("is in use"));
        }
    }
}
