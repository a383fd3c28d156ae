package io.cohort.platform.web;

import java.util.HashMap;
import java.util.Map;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The admin accounts of {@code admin.<name>} settings. A value that is a bcrypt hash is used as it is; a plain
 * password is hashed at start-up and never kept in the clear.
 */
public final class AdminAccounts {

    /** Compared against for unknown users so a wrong name costs as long as a wrong password (bcrypt of "dummy"). */
    private static final String DUMMY = "$2a$10$gSLWsCk4GN6sc/kOcENLPOhV/AzFy/5B5wT/6q5UGxky0fEczTnOq";

    private final Map<String, String> hashes = new HashMap<>();

    public AdminAccounts(Map<String, String> configured) {
        configured.forEach((user, secret) ->
                hashes.put(user, isHash(secret) ? secret : BCrypt.hashpw(secret, BCrypt.gensalt(10))));
    }

    static boolean isHash(String value) {
        return value.matches("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    }

    public boolean none() {
        return hashes.isEmpty();
    }

    public boolean check(String user, String password) {
        String hash = hashes.get(user == null ? "" : user);
        boolean ok = BCrypt.checkpw(password == null ? "" : password, hash == null ? DUMMY : hash);
        return ok && hash != null;
    }
}
