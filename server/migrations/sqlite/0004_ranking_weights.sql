-- The weights of the ranking formula, score = Σ wᵢ·sᵢ / Σ wᵢ, edited by the platform admin.
CREATE TABLE ranking_weights (
    signal     TEXT    PRIMARY KEY
               CHECK (signal IN ('text_relevance', 'rating', 'sales', 'freshness', 'availability', 'affinity')),
    weight     REAL    NOT NULL CHECK (weight >= 0 AND weight <= 10),
    updated_at INTEGER NOT NULL
);
INSERT INTO ranking_weights (signal, weight, updated_at) VALUES
    ('text_relevance', 4.0, 0), ('rating', 2.0, 0), ('sales', 2.0, 0),
    ('freshness', 1.0, 0), ('availability', 1.5, 0), ('affinity', 1.0, 0);
