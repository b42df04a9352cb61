//! The typed clients of PagerDuty's integration services (Slack, Jira Cloud, Jira Server,
//! Microsoft Teams): generated from their documents, built by the REST client's builder on the
//! same pipeline, with their own base URLs.

#[allow(unused_imports, reason = "used by the integrations the enabled features generate")]
use crate::spec::Api;
#[allow(unused_imports, reason = "used by the integrations the enabled features generate")]
use crate::{ClientBuilder, RestClient, Result};

#[allow(dead_code, reason = "the impl holds only the integrations the enabled features generate")]
impl ClientBuilder<RestClient> {
    /// The typed Slack integration client with these settings.
    #[cfg(pdrs_slack)]
    pub fn build_slack(self) -> Result<crate::slack::Client> {
        Ok(self.core(Api::Slack)?.typed(crate::slack::Client::new_with_client))
    }

    /// The typed Jira Cloud integration client with these settings.
    #[cfg(pdrs_jira_cloud)]
    pub fn build_jira_cloud(self) -> Result<crate::jira_cloud::Client> {
        Ok(self.core(Api::JiraCloud)?.typed(crate::jira_cloud::Client::new_with_client))
    }

    /// The typed Jira Server integration client. It authenticates with a user's OAuth token
    /// ([`oauth_token`](Self::oauth_token)) and sends `signature`, the Jira instance's token from
    /// `GET /plugins/servlet/pagerduty/sign`, as `x-pagerduty-jira-signature` on every call.
    #[cfg(pdrs_jira_server)]
    pub fn build_jira_server(self, signature: &str) -> Result<crate::jira_server::Client> {
        let core = self.default_header("x-pagerduty-jira-signature", signature).core(Api::JiraServer)?;
        Ok(core.typed(crate::jira_server::Client::new_with_client))
    }

    /// The typed Microsoft Teams integration client with these settings.
    #[cfg(pdrs_ms_teams)]
    pub fn build_ms_teams(self) -> Result<crate::ms_teams::Client> {
        Ok(self.core(Api::MsTeams)?.typed(crate::ms_teams::Client::new_with_client))
    }
}
