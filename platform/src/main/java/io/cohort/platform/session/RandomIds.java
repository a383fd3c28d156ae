package io.cohort.platform.session;

import java.security.SecureRandom;
import java.util.Base64;

/** Ids for sessions and participants, and the unguessable tokens in participants' URLs. */
public final class RandomIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private RandomIds() {}

    /** Short, readable, unambiguous: for ids that appear in admin pages and logs, not for secrets. */
    public static String id(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** 192 random bits, URL-safe. */
    public static String token() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
