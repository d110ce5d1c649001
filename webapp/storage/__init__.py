"""Where saved drawings live: the database (SQLite or PostgreSQL), its migrations, connections and the samples."""
