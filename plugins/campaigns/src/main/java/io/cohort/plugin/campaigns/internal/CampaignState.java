package io.cohort.plugin.campaigns.internal;

/** A campaign recruits while ACTIVE; MET and CANCELLED are its outcomes. */
public enum CampaignState {
    ACTIVE,
    MET,
    CANCELLED
}
