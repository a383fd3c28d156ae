-- Runs in the plugin's own schema (plugin_hello) when the bundle first asks for its PluginDatabase.
CREATE TABLE greeting (
    id          bigserial PRIMARY KEY,
    message     text        NOT NULL,
    source      text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
