//! The expected PostgreSQL catalog, written out literally from DATA.md and
//! Prisma's naming rules so that any drift in the migration fails the test.

/// `(table, [(column, type, nullable, default)])` in column order.
///
/// Types are `udt_name`s: text, int4, int8, bool, jsonb, timestamp (always
/// `TIMESTAMP(3)`) or an enum type name.
pub type Columns = &'static [(&'static str, &'static str, bool, Option<&'static str>)];

pub const N: bool = true;
pub const NN: bool = false;

pub const COLUMNS: &[(&str, Columns)] = &[
    (
        "Account",
        &[
            ("id", "text", NN, None),
            ("accountId", "text", NN, None),
            ("providerId", "text", NN, None),
            ("userId", "text", NN, None),
            ("accessToken", "text", N, None),
            ("refreshToken", "text", N, None),
            ("idToken", "text", N, None),
            ("accessTokenExpiresAt", "timestamp", N, None),
            ("refreshTokenExpiresAt", "timestamp", N, None),
            ("scope", "text", N, None),
            ("password", "text", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "File",
        &[
            ("id", "text", NN, None),
            ("userId", "text", NN, None),
            ("filename", "text", NN, None),
            ("originalName", "text", NN, None),
            ("mimeType", "text", NN, None),
            ("size", "int8", NN, None),
            ("storageKey", "text", NN, None),
            ("url", "text", N, None),
            ("status", "FileStatus", NN, Some("'PENDING'::\"FileStatus\"")),
            ("metadata", "jsonb", N, None),
            ("deletedAt", "timestamp", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Level",
        &[
            ("id", "text", NN, None),
            ("name", "text", NN, None),
            ("rank", "int4", NN, None),
            ("minPoints", "int4", NN, None),
            ("description", "text", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Offering",
        &[
            ("id", "text", NN, None),
            ("sellerId", "text", NN, None),
            ("title", "text", NN, None),
            ("description", "text", N, None),
            ("priceCents", "int4", NN, None),
            ("currency", "text", NN, Some("'USD'::text")),
            ("status", "OfferingStatus", NN, Some("'DRAFT'::\"OfferingStatus\"")),
            ("minLevelRank", "int4", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Order",
        &[
            ("id", "text", NN, None),
            ("buyerId", "text", NN, None),
            ("offeringId", "text", NN, None),
            ("quantity", "int4", NN, None),
            ("unitPriceCents", "int4", NN, None),
            ("totalCents", "int8", NN, None),
            ("currency", "text", NN, None),
            ("status", "OrderStatus", NN, Some("'PENDING'::\"OrderStatus\"")),
            ("note", "text", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Post",
        &[
            ("id", "text", NN, None),
            ("authorId", "text", NN, None),
            ("title", "text", NN, None),
            ("content", "text", N, None),
            ("status", "PostStatus", NN, Some("'DRAFT'::\"PostStatus\"")),
            ("publishedAt", "timestamp", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Profile",
        &[
            ("id", "text", NN, None),
            ("userId", "text", NN, None),
            ("handle", "text", NN, None),
            ("displayName", "text", NN, None),
            ("bio", "text", N, None),
            ("website", "text", N, None),
            ("location", "text", N, None),
            ("isPublic", "bool", NN, Some("true")),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
    (
        "Session",
        &[
            ("id", "text", NN, None),
            ("expiresAt", "timestamp", NN, None),
            ("token", "text", NN, None),
            ("ipAddress", "text", N, None),
            ("userAgent", "text", N, None),
            ("userId", "text", NN, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
            ("impersonatedBy", "text", N, None),
        ],
    ),
    ("StorageRemoval", &[("storageKey", "text", NN, None), ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP"))]),
    (
        "User",
        &[
            ("id", "text", NN, None),
            ("email", "text", NN, None),
            ("name", "text", N, None),
            ("emailVerified", "bool", NN, Some("false")),
            ("image", "text", N, None),
            ("role", "Role", NN, Some("'USER'::\"Role\"")),
            ("points", "int4", NN, Some("0")),
            ("levelId", "text", N, None),
            ("avatarFileId", "text", N, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
            ("banned", "bool", NN, Some("false")),
            ("banReason", "text", N, None),
            ("banExpires", "timestamp", N, None),
        ],
    ),
    (
        "Verification",
        &[
            ("id", "text", NN, None),
            ("identifier", "text", NN, None),
            ("value", "text", NN, None),
            ("expiresAt", "timestamp", NN, None),
            ("createdAt", "timestamp", NN, Some("CURRENT_TIMESTAMP")),
            ("updatedAt", "timestamp", NN, None),
        ],
    ),
];

pub const ENUMS: &[(&str, &[&str])] = &[
    ("FileStatus", &["PENDING", "UPLOADED", "PROCESSING", "READY", "FAILED", "DELETED"]),
    ("OfferingStatus", &["DRAFT", "ACTIVE", "ARCHIVED"]),
    ("OrderStatus", &["PENDING", "CONFIRMED", "COMPLETED", "CANCELLED"]),
    ("PostStatus", &["DRAFT", "PUBLISHED", "ARCHIVED"]),
    ("Role", &["USER", "ADMIN"]),
];

/// `(index, table, columns, unique, primary)`, every index in the schema.
/// Uniques are unique indexes (as Prisma makes them), not table constraints.
pub const INDEXES: &[(&str, &str, &str, bool, bool)] = &[
    ("Account_pkey", "Account", "id", true, true),
    ("Account_providerId_accountId_key", "Account", "providerId,accountId", true, false),
    ("File_createdAt_idx", "File", "createdAt", false, false),
    ("File_deletedAt_idx", "File", "deletedAt", false, false),
    ("File_pkey", "File", "id", true, true),
    ("File_status_idx", "File", "status", false, false),
    ("File_storageKey_key", "File", "storageKey", true, false),
    ("File_userId_idx", "File", "userId", false, false),
    ("Level_name_key", "Level", "name", true, false),
    ("Level_pkey", "Level", "id", true, true),
    ("Level_rank_key", "Level", "rank", true, false),
    ("Offering_pkey", "Offering", "id", true, true),
    ("Offering_sellerId_idx", "Offering", "sellerId", false, false),
    ("Offering_status_createdAt_idx", "Offering", "status,createdAt", false, false),
    ("Order_buyerId_idx", "Order", "buyerId", false, false),
    ("Order_offeringId_idx", "Order", "offeringId", false, false),
    ("Order_pkey", "Order", "id", true, true),
    ("Post_authorId_idx", "Post", "authorId", false, false),
    ("Post_pkey", "Post", "id", true, true),
    ("Post_status_createdAt_idx", "Post", "status,createdAt", false, false),
    ("Profile_createdAt_id_idx", "Profile", "createdAt DESC,id DESC", false, false),
    ("Profile_handle_key", "Profile", "handle", true, false),
    ("Profile_pkey", "Profile", "id", true, true),
    ("Profile_userId_idx", "Profile", "userId", false, false),
    ("Session_pkey", "Session", "id", true, true),
    ("Session_token_key", "Session", "token", true, false),
    ("StorageRemoval_pkey", "StorageRemoval", "storageKey", true, true),
    ("User_avatarFileId_key", "User", "avatarFileId", true, false),
    ("User_createdAt_id_idx", "User", "createdAt DESC,id DESC", false, false),
    ("User_email_key", "User", "email", true, false),
    ("User_pkey", "User", "id", true, true),
    ("Verification_identifier_value_key", "Verification", "identifier,value", true, false),
    ("Verification_pkey", "Verification", "id", true, true),
];

/// `(constraint, type, table, columns, referenced table, on delete, on update)`,
/// every table constraint: primary keys and foreign keys, nothing else.
pub const CONSTRAINTS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("Account_pkey", "p", "Account", "id", "", "", ""),
    ("Account_userId_fkey", "f", "Account", "userId", "User(id)", "CASCADE", "CASCADE"),
    ("File_pkey", "p", "File", "id", "", "", ""),
    ("File_userId_fkey", "f", "File", "userId", "User(id)", "CASCADE", "CASCADE"),
    ("Level_pkey", "p", "Level", "id", "", "", ""),
    ("Offering_pkey", "p", "Offering", "id", "", "", ""),
    ("Offering_sellerId_fkey", "f", "Offering", "sellerId", "User(id)", "CASCADE", "CASCADE"),
    ("Order_buyerId_fkey", "f", "Order", "buyerId", "User(id)", "CASCADE", "CASCADE"),
    ("Order_offeringId_fkey", "f", "Order", "offeringId", "Offering(id)", "RESTRICT", "CASCADE"),
    ("Order_pkey", "p", "Order", "id", "", "", ""),
    ("Post_authorId_fkey", "f", "Post", "authorId", "User(id)", "CASCADE", "CASCADE"),
    ("Post_pkey", "p", "Post", "id", "", "", ""),
    ("Profile_pkey", "p", "Profile", "id", "", "", ""),
    ("Profile_userId_fkey", "f", "Profile", "userId", "User(id)", "CASCADE", "CASCADE"),
    ("Session_pkey", "p", "Session", "id", "", "", ""),
    ("Session_userId_fkey", "f", "Session", "userId", "User(id)", "CASCADE", "CASCADE"),
    ("StorageRemoval_pkey", "p", "StorageRemoval", "storageKey", "", "", ""),
    ("User_avatarFileId_fkey", "f", "User", "avatarFileId", "File(id)", "SET NULL", "CASCADE"),
    ("User_levelId_fkey", "f", "User", "levelId", "Level(id)", "SET NULL", "CASCADE"),
    ("User_pkey", "p", "User", "id", "", "", ""),
    ("Verification_pkey", "p", "Verification", "id", "", "", ""),
];

/// `(table, trigger, function)`: the notices that end cached sessions (PostgreSQL only).
pub const TRIGGERS: &[(&str, &str, &str)] = &[
    ("Session", "Session_changed", "nextstack_session_changed"),
    ("User", "User_deleted", "nextstack_user_changed"),
    ("User", "User_role_changed", "nextstack_user_changed"),
];
