-- Rate limits that hold across workers and hosts: one token bucket per limit and client address.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL
);
