-- Rate limits that hold across workers and hosts: one token bucket per limit and client address.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated REAL NOT NULL
);
