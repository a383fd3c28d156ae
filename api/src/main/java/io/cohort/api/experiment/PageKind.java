package io.cohort.api.experiment;

public enum PageKind {
    /** typed fields, validated on the server */
    FORM,
    /** advances when the whole group has arrived */
    WAIT,
    /** the lab's own JavaScript task */
    SCRIPT
}
