//! Outgoing mail: SMTP through lettre when `SMTP_URL` is set, otherwise one
//! structured log line per message carrying its link, so development needs no
//! mail server.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::error::AppError;

/// One message: plain text with the link it is about.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Body text (contains `link`).
    pub text: String,
    /// The action link (also logged when there is no SMTP server).
    pub link: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server.
    Smtp {
        /// The transport (pooled connections); boxed, it is large.
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        /// `MAIL_FROM`.
        from: Mailbox,
    },
    /// No server configured: log the message.
    Log,
}

impl Mailer {
    /// The mailer `config` asks for.
    pub fn from_config(config: &Config) -> Result<Self, AppError> {
        let Some(url) = &config.smtp_url else { return Ok(Self::Log) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("invalid SMTP_URL: {e}")))?
            .build();
        let transport = Box::new(transport);
        let from =
            config.mail_from.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("invalid MAIL_FROM: {e}")))?;
        Ok(Self::Smtp { transport, from })
    }

    /// Sends (or logs) a message.
    pub async fn send(&self, mail: Mail) -> Result<(), AppError> {
        match self {
            Self::Log => {
                tracing::info!(to = %mail.to, subject = %mail.subject, link = %mail.link, "mail not sent (SMTP_URL unset)");
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let to: Mailbox =
                    mail.to.parse().map_err(|e| AppError::BadRequest(format!("invalid recipient: {e}").into()))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text)
                    .map_err(|e| AppError::Internal(e.into()))?;
                transport.send(message).await.map_err(|e| AppError::Unavailable(e.into()))?;
                Ok(())
            }
        }
    }
}
