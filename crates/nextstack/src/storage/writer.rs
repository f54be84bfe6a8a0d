//! Writing an object as its bytes arrive (uploads through the server), so a
//! request holds at most one chunk in memory whatever the file's size.

use bytes::Bytes;
use object_store::{Attribute, Attributes, PutMultipartOptions, WriteMultipart};

use super::{Backend, Storage, StorageError, path};

/// Bytes gathered before a part is sent. S3 needs parts of 5 MiB at least
/// (all but the last); the local disk writes each part straight to its file.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
const LOCAL_PART_BYTES: usize = 256 * 1024;

/// An object being written: [`ObjectWriter::finish`] makes it visible,
/// [`ObjectWriter::abort`] (or dropping it) leaves nothing behind.
pub struct ObjectWriter {
    upload: WriteMultipart,
    written: u64,
}

impl Storage {
    /// Starts writing the object `key`, stored with `content_type`.
    pub async fn writer(&self, key: &str, content_type: &str) -> Result<ObjectWriter, StorageError> {
        let (opts, part_bytes) = match &self.backend {
            // The local disk keeps no attributes; downloads get their type from the signed URL.
            Backend::Local(_) => (PutMultipartOptions::default(), LOCAL_PART_BYTES),
            Backend::S3 { .. } => {
                let attributes = Attributes::from_iter([(Attribute::ContentType, content_type.to_string())]);
                (PutMultipartOptions { attributes, ..Default::default() }, S3_PART_BYTES)
            }
        };
        let result = self.store.put_multipart_opts(&path(key)?, opts).await.map_err(StorageError::from);
        self.record("put", &result);
        Ok(ObjectWriter { upload: WriteMultipart::new_with_chunk_size(result?, part_bytes), written: 0 })
    }
}

impl ObjectWriter {
    /// Appends `bytes`, waiting while a part is still being sent.
    pub async fn write(&mut self, bytes: Bytes) -> Result<(), StorageError> {
        self.upload.wait_for_capacity(1).await?;
        self.written += bytes.len() as u64;
        self.upload.put(bytes);
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the object; returns its size.
    pub async fn finish(self) -> Result<u64, StorageError> {
        self.upload.finish().await?;
        Ok(self.written)
    }

    /// Drops what was written (an S3 multipart upload is aborted; a local temporary file removed).
    pub async fn abort(self) {
        if let Err(err) = self.upload.abort().await {
            tracing::warn!(error = %err, "could not abort an unfinished upload; the bucket's lifecycle rules clean it up");
        }
    }
}
