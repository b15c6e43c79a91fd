"""Contains all the data models used in inputs/outputs"""

from .accept_body import AcceptBody
from .accepted import Accepted
from .account_token_body import AccountTokenBody
from .account_token_view import AccountTokenView
from .add_domains_body import AddDomainsBody
from .alert_body import AlertBody
from .alert_body_condition_type_0 import AlertBodyConditionType0
from .alert_event_view import AlertEventView
from .alert_view import AlertView
from .alert_view_channels_item import AlertViewChannelsItem
from .alert_view_condition import AlertViewCondition
from .amount import Amount
from .api_key_view import ApiKeyView
from .api_meta import ApiMeta
from .as_of_meta import AsOfMeta
from .attempt import Attempt
from .audit_meta import AuditMeta
from .audit_page import AuditPage
from .batch_result import BatchResult
from .break_ import Break
from .breakdown_row import BreakdownRow
from .call_body import CallBody
from .call_body_arguments import CallBodyArguments
from .call_result import CallResult
from .call_result_result import CallResultResult
from .call_row import CallRow
from .chain_report import ChainReport
from .change_view import ChangeView
from .changes import Changes
from .channel_body_type_0 import ChannelBodyType0
from .channel_body_type_0_type import ChannelBodyType0Type
from .channel_body_type_1 import ChannelBodyType1
from .channel_body_type_1_type import ChannelBodyType1Type
from .channel_body_type_2 import ChannelBodyType2
from .channel_body_type_2_type import ChannelBodyType2Type
from .check_body import CheckBody
from .check_view import CheckView
from .check_view_config import CheckViewConfig
from .code_body import CodeBody
from .code_token_body import CodeTokenBody
from .comparison_body import ComparisonBody
from .comparison_funnel import ComparisonFunnel
from .comparison_funnel_change import ComparisonFunnelChange
from .comparison_funnel_data import ComparisonFunnelData
from .comparison_metrics import ComparisonMetrics
from .comparison_metrics_change import ComparisonMetricsChange
from .comparison_metrics_data import ComparisonMetricsData
from .comparison_metrics_data_average_order_value_type_0 import ComparisonMetricsDataAverageOrderValueType0
from .comparison_metrics_data_revenue_type_0 import ComparisonMetricsDataRevenueType0
from .comparison_row import ComparisonRow
from .comparison_row_change_item import ComparisonRowChangeItem
from .comparison_row_metrics_item import ComparisonRowMetricsItem
from .comparison_vec import ComparisonVec
from .comparison_vec_change import ComparisonVecChange
from .comparison_vec_data_item import ComparisonVecDataItem
from .connect_body import ConnectBody
from .consent import Consent
from .consent_mode import ConsentMode
from .consent_mode_defaults import ConsentModeDefaults
from .create_export_body import CreateExportBody
from .create_funnel_body import CreateFunnelBody
from .create_key_body import CreateKeyBody
from .create_site_body import CreateSiteBody
from .create_workspace_body import CreateWorkspaceBody
from .dashboard_body import DashboardBody
from .dashboard_body_widgets_type_0_item import DashboardBodyWidgetsType0Item
from .dashboard_data import DashboardData
from .dashboard_view import DashboardView
from .dashboard_view_widgets_item import DashboardViewWidgetsItem
from .data_accepted import DataAccepted
from .data_accepted_data import DataAcceptedData
from .data_account_token_view import DataAccountTokenView
from .data_account_token_view_data import DataAccountTokenViewData
from .data_alert_view import DataAlertView
from .data_alert_view_data import DataAlertViewData
from .data_alert_view_data_channels_item import DataAlertViewDataChannelsItem
from .data_alert_view_data_condition import DataAlertViewDataCondition
from .data_api_key_view import DataApiKeyView
from .data_api_key_view_data import DataApiKeyViewData
from .data_attempt import DataAttempt
from .data_attempt_data import DataAttemptData
from .data_batch_result import DataBatchResult
from .data_batch_result_data import DataBatchResultData
from .data_chain_report import DataChainReport
from .data_chain_report_data import DataChainReportData
from .data_dashboard_data import DataDashboardData
from .data_dashboard_data_data import DataDashboardDataData
from .data_dashboard_view import DataDashboardView
from .data_dashboard_view_data import DataDashboardViewData
from .data_dashboard_view_data_widgets_item import DataDashboardViewDataWidgetsItem
from .data_data_deletion import DataDataDeletion
from .data_data_deletion_data import DataDataDeletionData
from .data_deletion import DataDeletion
from .data_delivery_view import DataDeliveryView
from .data_delivery_view_data import DataDeliveryViewData
from .data_domain_answer import DataDomainAnswer
from .data_domain_updated import DataDomainUpdated
from .data_domain_updated_data import DataDomainUpdatedData
from .data_domains_added import DataDomainsAdded
from .data_domains_added_data import DataDomainsAddedData
from .data_erased import DataErased
from .data_erased_data import DataErasedData
from .data_export_job import DataExportJob
from .data_export_job_data import DataExportJobData
from .data_export_job_data_parameters import DataExportJobDataParameters
from .data_export_queued import DataExportQueued
from .data_export_queued_data import DataExportQueuedData
from .data_folder_written import DataFolderWritten
from .data_folder_written_data import DataFolderWrittenData
from .data_integration_view import DataIntegrationView
from .data_integration_view_data import DataIntegrationViewData
from .data_invitation_view import DataInvitationView
from .data_invitation_view_data import DataInvitationViewData
from .data_issue_detail import DataIssueDetail
from .data_issue_detail_data import DataIssueDetailData
from .data_key_with_secret import DataKeyWithSecret
from .data_key_with_secret_data import DataKeyWithSecretData
from .data_me_view import DataMeView
from .data_me_view_data import DataMeViewData
from .data_member_view import DataMemberView
from .data_member_view_data import DataMemberViewData
from .data_option_flat_scan import DataOptionFlatScan
from .data_option_flat_scan_data_type_1 import DataOptionFlatScanDataType1
from .data_payment_answer import DataPaymentAnswer
from .data_payment_answer_data import DataPaymentAnswerData
from .data_project import DataProject
from .data_project_data import DataProjectData
from .data_push_answer import DataPushAnswer
from .data_push_answer_data import DataPushAnswerData
from .data_realtime import DataRealtime
from .data_realtime_data import DataRealtimeData
from .data_rebuild_started import DataRebuildStarted
from .data_rebuild_started_data import DataRebuildStartedData
from .data_remote_server_view import DataRemoteServerView
from .data_remote_server_view_data import DataRemoteServerViewData
from .data_remote_server_view_data_tools_item import DataRemoteServerViewDataToolsItem
from .data_report_view import DataReportView
from .data_report_view_data import DataReportViewData
from .data_report_view_data_scores import DataReportViewDataScores
from .data_reset_requested import DataResetRequested
from .data_reset_requested_data import DataResetRequestedData
from .data_saved_funnel_view import DataSavedFunnelView
from .data_saved_funnel_view_data import DataSavedFunnelViewData
from .data_scan_queued import DataScanQueued
from .data_scan_queued_data import DataScanQueuedData
from .data_second_factor_setup import DataSecondFactorSetup
from .data_second_factor_setup_data import DataSecondFactorSetupData
from .data_seo_report_view import DataSeoReportView
from .data_seo_report_view_data import DataSeoReportViewData
from .data_seo_report_view_data_scores import DataSeoReportViewDataScores
from .data_signed_in import DataSignedIn
from .data_signed_in_data import DataSignedInData
from .data_site_view import DataSiteView
from .data_site_view_data import DataSiteViewData
from .data_summary import DataSummary
from .data_summary_data import DataSummaryData
from .data_swept import DataSwept
from .data_swept_data import DataSweptData
from .data_vec_folder_view import DataVecFolderView
from .data_vec_folder_view_data_item import DataVecFolderViewDataItem
from .data_vec_projection_status import DataVecProjectionStatus
from .data_vec_projection_status_data_item import DataVecProjectionStatusDataItem
from .data_verification_sent import DataVerificationSent
from .data_verification_sent_data import DataVerificationSentData
from .data_visitor_profile import DataVisitorProfile
from .data_visitor_profile_data import DataVisitorProfileData
from .data_visitor_profile_data_lifetime_revenue import DataVisitorProfileDataLifetimeRevenue
from .data_visitor_profile_data_traits import DataVisitorProfileDataTraits
from .data_webhook_view import DataWebhookView
from .data_webhook_view_data import DataWebhookViewData
from .data_webhook_written import DataWebhookWritten
from .data_webhook_written_data import DataWebhookWrittenData
from .data_whois_answer import DataWhoisAnswer
from .data_whois_answer_data import DataWhoisAnswerData
from .data_whois_answer_data_ip_geolocation import DataWhoisAnswerDataIpGeolocation
from .data_workspace_view import DataWorkspaceView
from .data_workspace_view_data import DataWorkspaceViewData
from .delivery_view import DeliveryView
from .disable_body import DisableBody
from .domain_as_of import DomainAsOf
from .domain_detail import DomainDetail
from .domain_updated import DomainUpdated
from .domain_view import DomainView
from .domains_added import DomainsAdded
from .entitlement_body import EntitlementBody
from .entitlement_body_config_type_0 import EntitlementBodyConfigType0
from .entitlement_body_view import EntitlementBodyView
from .entitlement_view import EntitlementView
from .entitlement_view_config_type_0 import EntitlementViewConfigType0
from .erased import Erased
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .error_detail_details import ErrorDetailDetails
from .event import Event
from .event_data import EventData
from .event_item import EventItem
from .event_item_properties import EventItemProperties
from .events_body import EventsBody
from .evidence import Evidence
from .export_filters import ExportFilters
from .export_job import ExportJob
from .export_job_parameters import ExportJobParameters
from .export_queued import ExportQueued
from .factor import Factor
from .feed_point import FeedPoint
from .feed_point_metadata import FeedPointMetadata
from .feed_progress_type_0 import FeedProgressType0
from .feed_progress_type_0_kind import FeedProgressType0Kind
from .feed_progress_type_1 import FeedProgressType1
from .feed_progress_type_1_kind import FeedProgressType1Kind
from .finding import Finding
from .flat_scan import FlatScan
from .folder_body import FolderBody
from .folder_ref import FolderRef
from .folder_view import FolderView
from .folder_written import FolderWritten
from .freshness import Freshness
from .funnel import Funnel
from .funnel_step import FunnelStep
from .funnel_step_body import FunnelStepBody
from .gateway_share import GatewayShare
from .goal_body import GoalBody
from .goal_body_metadata import GoalBodyMetadata
from .goal_count import GoalCount
from .google_error import GoogleError
from .health import Health
from .identify_body import IdentifyBody
from .identify_body_traits import IdentifyBodyTraits
from .include_body import IncludeBody
from .include_echo import IncludeEcho
from .integration_view import IntegrationView
from .integrations_stripe_webhook_body import IntegrationsStripeWebhookBody
from .invalid_domain import InvalidDomain
from .invitation_view import InvitationView
from .invite_body import InviteBody
from .issue_body import IssueBody
from .issue_body_details_type_0 import IssueBodyDetailsType0
from .issue_detail import IssueDetail
from .item_refused import ItemRefused
from .key_quantity import KeyQuantity
from .key_with_secret import KeyWithSecret
from .last_change import LastChange
from .list_meta import ListMeta
from .login_body import LoginBody
from .loss_estimate import LossEstimate
from .me_view import MeView
from .member_view import MemberView
from .membership_view import MembershipView
from .metrics import Metrics
from .metrics_average_order_value_type_0 import MetricsAverageOrderValueType0
from .metrics_revenue_type_0 import MetricsRevenueType0
from .notification_view import NotificationView
from .page_account_token_view import PageAccountTokenView
from .page_account_token_view_data_item import PageAccountTokenViewDataItem
from .page_alert_event_view import PageAlertEventView
from .page_alert_event_view_data_item import PageAlertEventViewDataItem
from .page_alert_view import PageAlertView
from .page_alert_view_data_item import PageAlertViewDataItem
from .page_alert_view_data_item_channels_item import PageAlertViewDataItemChannelsItem
from .page_alert_view_data_item_condition import PageAlertViewDataItemCondition
from .page_api_key_view import PageApiKeyView
from .page_api_key_view_data_item import PageApiKeyViewDataItem
from .page_call_row import PageCallRow
from .page_call_row_data_item import PageCallRowDataItem
from .page_change_view import PageChangeView
from .page_change_view_data_item import PageChangeViewDataItem
from .page_dashboard_view import PageDashboardView
from .page_dashboard_view_data_item import PageDashboardViewDataItem
from .page_dashboard_view_data_item_widgets_item import PageDashboardViewDataItemWidgetsItem
from .page_data_deletion import PageDataDeletion
from .page_data_deletion_data_item import PageDataDeletionDataItem
from .page_delivery_view import PageDeliveryView
from .page_delivery_view_data_item import PageDeliveryViewDataItem
from .page_domain_view import PageDomainView
from .page_domain_view_data_item import PageDomainViewDataItem
from .page_event import PageEvent
from .page_event_data_item import PageEventDataItem
from .page_event_data_item_data import PageEventDataItemData
from .page_export_job import PageExportJob
from .page_export_job_data_item import PageExportJobDataItem
from .page_export_job_data_item_parameters import PageExportJobDataItemParameters
from .page_feed_point import PageFeedPoint
from .page_feed_point_data_item import PageFeedPointDataItem
from .page_feed_point_data_item_metadata import PageFeedPointDataItemMetadata
from .page_info import PageInfo
from .page_integration_view import PageIntegrationView
from .page_integration_view_data_item import PageIntegrationViewDataItem
from .page_invitation_view import PageInvitationView
from .page_invitation_view_data_item import PageInvitationViewDataItem
from .page_links import PageLinks
from .page_member_view import PageMemberView
from .page_member_view_data_item import PageMemberViewDataItem
from .page_saved_funnel_view import PageSavedFunnelView
from .page_saved_funnel_view_data_item import PageSavedFunnelViewDataItem
from .page_scan_view import PageScanView
from .page_scan_view_data_item import PageScanViewDataItem
from .page_scan_view_data_item_options import PageScanViewDataItemOptions
from .page_seo_issue_view import PageSeoIssueView
from .page_seo_issue_view_data_item import PageSeoIssueViewDataItem
from .page_seo_issue_view_data_item_details import PageSeoIssueViewDataItemDetails
from .page_site_view import PageSiteView
from .page_site_view_data_item import PageSiteViewDataItem
from .page_speed import PageSpeed
from .page_visitor_row import PageVisitorRow
from .page_visitor_row_data_item import PageVisitorRowDataItem
from .page_visitor_row_data_item_traits import PageVisitorRowDataItemTraits
from .page_webhook_view import PageWebhookView
from .page_webhook_view_data_item import PageWebhookViewDataItem
from .page_workspace_view import PageWorkspaceView
from .page_workspace_view_data_item import PageWorkspaceViewDataItem
from .pagination import Pagination
from .pagination_body import PaginationBody
from .partition_offset import PartitionOffset
from .passes import Passes
from .password_body import PasswordBody
from .payment_answer import PaymentAnswer
from .payment_body import PaymentBody
from .payment_view import PaymentView
from .pixel_body import PixelBody
from .pixel_body_properties import PixelBodyProperties
from .pixel_config import PixelConfig
from .pixel_config_answer import PixelConfigAnswer
from .pixel_features import PixelFeatures
from .previous_fields import PreviousFields
from .progress import Progress
from .project import Project
from .projection_status import ProjectionStatus
from .push_answer import PushAnswer
from .push_body import PushBody
from .push_point import PushPoint
from .push_point_metadata import PushPointMetadata
from .query_answer import QueryAnswer
from .query_body import QueryBody
from .query_body_date_range import QueryBodyDateRange
from .query_body_filters_item import QueryBodyFiltersItem
from .query_body_order_by_item import QueryBodyOrderByItem
from .query_echo import QueryEcho
from .query_echo_filters_item import QueryEchoFiltersItem
from .query_echo_order_by_item import QueryEchoOrderByItem
from .query_meta import QueryMeta
from .query_row import QueryRow
from .query_row_metrics_item import QueryRowMetricsItem
from .range_ import Range
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .realtime import Realtime
from .realtime_row import RealtimeRow
from .rebuild_started import RebuildStarted
from .rebuild_view import RebuildView
from .recent_change import RecentChange
from .refused_domain import RefusedDomain
from .remote_details import RemoteDetails
from .remote_server_body import RemoteServerBody
from .remote_server_view import RemoteServerView
from .remote_server_view_tools_item import RemoteServerViewToolsItem
from .report_body import ReportBody
from .report_body_scores_type_0 import ReportBodyScoresType0
from .report_view import ReportView
from .report_view_scores import ReportViewScores
from .reset_confirm_body import ResetConfirmBody
from .reset_request_body import ResetRequestBody
from .reset_requested import ResetRequested
from .revenue import Revenue
from .role_body import RoleBody
from .rotate_body import RotateBody
from .rotate_key_body import RotateKeyBody
from .saved_funnel_view import SavedFunnelView
from .scan_body import ScanBody
from .scan_envelope import ScanEnvelope
from .scan_error import ScanError
from .scan_meta import ScanMeta
from .scan_page import ScanPage
from .scan_queued import ScanQueued
from .scan_summary import ScanSummary
from .scan_view import ScanView
from .scan_view_options import ScanViewOptions
from .second_factor_setup import SecondFactorSetup
from .seo_issue_event_view import SeoIssueEventView
from .seo_issue_view import SeoIssueView
from .seo_issue_view_details import SeoIssueViewDetails
from .seo_report_view import SeoReportView
from .seo_report_view_scores import SeoReportViewScores
from .seo_section import SeoSection
from .seo_section_issues_item import SeoSectionIssuesItem
from .seo_section_scores import SeoSectionScores
from .series_body import SeriesBody
from .series_point import SeriesPoint
from .series_row import SeriesRow
from .series_view import SeriesView
from .server_body import ServerBody
from .server_list import ServerList
from .server_view import ServerView
from .settings_body import SettingsBody
from .signed_in import SignedIn
from .site_view import SiteView
from .speed_scores import SpeedScores
from .stats_answer_funnel import StatsAnswerFunnel
from .stats_answer_funnel_data import StatsAnswerFunnelData
from .stats_answer_metrics import StatsAnswerMetrics
from .stats_answer_metrics_data import StatsAnswerMetricsData
from .stats_answer_metrics_data_average_order_value_type_0 import StatsAnswerMetricsDataAverageOrderValueType0
from .stats_answer_metrics_data_revenue_type_0 import StatsAnswerMetricsDataRevenueType0
from .stats_answer_vec_breakdown_row import StatsAnswerVecBreakdownRow
from .stats_answer_vec_breakdown_row_data_item import StatsAnswerVecBreakdownRowDataItem
from .stats_answer_vec_series_row import StatsAnswerVecSeriesRow
from .stats_answer_vec_series_row_data_item import StatsAnswerVecSeriesRowDataItem
from .stats_meta import StatsMeta
from .status_share import StatusShare
from .subscription_view import SubscriptionView
from .success import Success
from .summary import Summary
from .summary_body import SummaryBody
from .summary_row import SummaryRow
from .summary_row_config import SummaryRowConfig
from .swept import Swept
from .tool_list import ToolList
from .tool_list_data_item import ToolListDataItem
from .tracked import Tracked
from .update_body import UpdateBody
from .update_domain_body import UpdateDomainBody
from .update_funnel_body import UpdateFunnelBody
from .update_site_body import UpdateSiteBody
from .update_workspace_body import UpdateWorkspaceBody
from .usage_body import UsageBody
from .usage_body_metadata import UsageBodyMetadata
from .usage_record_body import UsageRecordBody
from .usage_record_view import UsageRecordView
from .user_view import UserView
from .verification_sent import VerificationSent
from .visitor_profile import VisitorProfile
from .visitor_profile_lifetime_revenue import VisitorProfileLifetimeRevenue
from .visitor_profile_traits import VisitorProfileTraits
from .visitor_row import VisitorRow
from .visitor_row_traits import VisitorRowTraits
from .webhook_answer import WebhookAnswer
from .webhook_body import WebhookBody
from .webhook_view import WebhookView
from .webhook_written import WebhookWritten
from .whois_answer import WhoisAnswer
from .whois_answer_ip_geolocation import WhoisAnswerIpGeolocation
from .widget_data import WidgetData
from .widget_point import WidgetPoint
from .workspace_settings_view import WorkspaceSettingsView
from .workspace_view import WorkspaceView

__all__ = (
    "AcceptBody",
    "Accepted",
    "AccountTokenBody",
    "AccountTokenView",
    "AddDomainsBody",
    "AlertBody",
    "AlertBodyConditionType0",
    "AlertEventView",
    "AlertView",
    "AlertViewChannelsItem",
    "AlertViewCondition",
    "Amount",
    "ApiKeyView",
    "ApiMeta",
    "AsOfMeta",
    "Attempt",
    "AuditMeta",
    "AuditPage",
    "BatchResult",
    "Break",
    "BreakdownRow",
    "CallBody",
    "CallBodyArguments",
    "CallResult",
    "CallResultResult",
    "CallRow",
    "ChainReport",
    "Changes",
    "ChangeView",
    "ChannelBodyType0",
    "ChannelBodyType0Type",
    "ChannelBodyType1",
    "ChannelBodyType1Type",
    "ChannelBodyType2",
    "ChannelBodyType2Type",
    "CheckBody",
    "CheckView",
    "CheckViewConfig",
    "CodeBody",
    "CodeTokenBody",
    "ComparisonBody",
    "ComparisonFunnel",
    "ComparisonFunnelChange",
    "ComparisonFunnelData",
    "ComparisonMetrics",
    "ComparisonMetricsChange",
    "ComparisonMetricsData",
    "ComparisonMetricsDataAverageOrderValueType0",
    "ComparisonMetricsDataRevenueType0",
    "ComparisonRow",
    "ComparisonRowChangeItem",
    "ComparisonRowMetricsItem",
    "ComparisonVec",
    "ComparisonVecChange",
    "ComparisonVecDataItem",
    "ConnectBody",
    "Consent",
    "ConsentMode",
    "ConsentModeDefaults",
    "CreateExportBody",
    "CreateFunnelBody",
    "CreateKeyBody",
    "CreateSiteBody",
    "CreateWorkspaceBody",
    "DashboardBody",
    "DashboardBodyWidgetsType0Item",
    "DashboardData",
    "DashboardView",
    "DashboardViewWidgetsItem",
    "DataAccepted",
    "DataAcceptedData",
    "DataAccountTokenView",
    "DataAccountTokenViewData",
    "DataAlertView",
    "DataAlertViewData",
    "DataAlertViewDataChannelsItem",
    "DataAlertViewDataCondition",
    "DataApiKeyView",
    "DataApiKeyViewData",
    "DataAttempt",
    "DataAttemptData",
    "DataBatchResult",
    "DataBatchResultData",
    "DataChainReport",
    "DataChainReportData",
    "DataDashboardData",
    "DataDashboardDataData",
    "DataDashboardView",
    "DataDashboardViewData",
    "DataDashboardViewDataWidgetsItem",
    "DataDataDeletion",
    "DataDataDeletionData",
    "DataDeletion",
    "DataDeliveryView",
    "DataDeliveryViewData",
    "DataDomainAnswer",
    "DataDomainsAdded",
    "DataDomainsAddedData",
    "DataDomainUpdated",
    "DataDomainUpdatedData",
    "DataErased",
    "DataErasedData",
    "DataExportJob",
    "DataExportJobData",
    "DataExportJobDataParameters",
    "DataExportQueued",
    "DataExportQueuedData",
    "DataFolderWritten",
    "DataFolderWrittenData",
    "DataIntegrationView",
    "DataIntegrationViewData",
    "DataInvitationView",
    "DataInvitationViewData",
    "DataIssueDetail",
    "DataIssueDetailData",
    "DataKeyWithSecret",
    "DataKeyWithSecretData",
    "DataMemberView",
    "DataMemberViewData",
    "DataMeView",
    "DataMeViewData",
    "DataOptionFlatScan",
    "DataOptionFlatScanDataType1",
    "DataPaymentAnswer",
    "DataPaymentAnswerData",
    "DataProject",
    "DataProjectData",
    "DataPushAnswer",
    "DataPushAnswerData",
    "DataRealtime",
    "DataRealtimeData",
    "DataRebuildStarted",
    "DataRebuildStartedData",
    "DataRemoteServerView",
    "DataRemoteServerViewData",
    "DataRemoteServerViewDataToolsItem",
    "DataReportView",
    "DataReportViewData",
    "DataReportViewDataScores",
    "DataResetRequested",
    "DataResetRequestedData",
    "DataSavedFunnelView",
    "DataSavedFunnelViewData",
    "DataScanQueued",
    "DataScanQueuedData",
    "DataSecondFactorSetup",
    "DataSecondFactorSetupData",
    "DataSeoReportView",
    "DataSeoReportViewData",
    "DataSeoReportViewDataScores",
    "DataSignedIn",
    "DataSignedInData",
    "DataSiteView",
    "DataSiteViewData",
    "DataSummary",
    "DataSummaryData",
    "DataSwept",
    "DataSweptData",
    "DataVecFolderView",
    "DataVecFolderViewDataItem",
    "DataVecProjectionStatus",
    "DataVecProjectionStatusDataItem",
    "DataVerificationSent",
    "DataVerificationSentData",
    "DataVisitorProfile",
    "DataVisitorProfileData",
    "DataVisitorProfileDataLifetimeRevenue",
    "DataVisitorProfileDataTraits",
    "DataWebhookView",
    "DataWebhookViewData",
    "DataWebhookWritten",
    "DataWebhookWrittenData",
    "DataWhoisAnswer",
    "DataWhoisAnswerData",
    "DataWhoisAnswerDataIpGeolocation",
    "DataWorkspaceView",
    "DataWorkspaceViewData",
    "DeliveryView",
    "DisableBody",
    "DomainAsOf",
    "DomainDetail",
    "DomainsAdded",
    "DomainUpdated",
    "DomainView",
    "EntitlementBody",
    "EntitlementBodyConfigType0",
    "EntitlementBodyView",
    "EntitlementView",
    "EntitlementViewConfigType0",
    "Erased",
    "ErrorBody",
    "ErrorDetail",
    "ErrorDetailDetails",
    "Event",
    "EventData",
    "EventItem",
    "EventItemProperties",
    "EventsBody",
    "Evidence",
    "ExportFilters",
    "ExportJob",
    "ExportJobParameters",
    "ExportQueued",
    "Factor",
    "FeedPoint",
    "FeedPointMetadata",
    "FeedProgressType0",
    "FeedProgressType0Kind",
    "FeedProgressType1",
    "FeedProgressType1Kind",
    "Finding",
    "FlatScan",
    "FolderBody",
    "FolderRef",
    "FolderView",
    "FolderWritten",
    "Freshness",
    "Funnel",
    "FunnelStep",
    "FunnelStepBody",
    "GatewayShare",
    "GoalBody",
    "GoalBodyMetadata",
    "GoalCount",
    "GoogleError",
    "Health",
    "IdentifyBody",
    "IdentifyBodyTraits",
    "IncludeBody",
    "IncludeEcho",
    "IntegrationsStripeWebhookBody",
    "IntegrationView",
    "InvalidDomain",
    "InvitationView",
    "InviteBody",
    "IssueBody",
    "IssueBodyDetailsType0",
    "IssueDetail",
    "ItemRefused",
    "KeyQuantity",
    "KeyWithSecret",
    "LastChange",
    "ListMeta",
    "LoginBody",
    "LossEstimate",
    "MembershipView",
    "MemberView",
    "Metrics",
    "MetricsAverageOrderValueType0",
    "MetricsRevenueType0",
    "MeView",
    "NotificationView",
    "PageAccountTokenView",
    "PageAccountTokenViewDataItem",
    "PageAlertEventView",
    "PageAlertEventViewDataItem",
    "PageAlertView",
    "PageAlertViewDataItem",
    "PageAlertViewDataItemChannelsItem",
    "PageAlertViewDataItemCondition",
    "PageApiKeyView",
    "PageApiKeyViewDataItem",
    "PageCallRow",
    "PageCallRowDataItem",
    "PageChangeView",
    "PageChangeViewDataItem",
    "PageDashboardView",
    "PageDashboardViewDataItem",
    "PageDashboardViewDataItemWidgetsItem",
    "PageDataDeletion",
    "PageDataDeletionDataItem",
    "PageDeliveryView",
    "PageDeliveryViewDataItem",
    "PageDomainView",
    "PageDomainViewDataItem",
    "PageEvent",
    "PageEventDataItem",
    "PageEventDataItemData",
    "PageExportJob",
    "PageExportJobDataItem",
    "PageExportJobDataItemParameters",
    "PageFeedPoint",
    "PageFeedPointDataItem",
    "PageFeedPointDataItemMetadata",
    "PageInfo",
    "PageIntegrationView",
    "PageIntegrationViewDataItem",
    "PageInvitationView",
    "PageInvitationViewDataItem",
    "PageLinks",
    "PageMemberView",
    "PageMemberViewDataItem",
    "PageSavedFunnelView",
    "PageSavedFunnelViewDataItem",
    "PageScanView",
    "PageScanViewDataItem",
    "PageScanViewDataItemOptions",
    "PageSeoIssueView",
    "PageSeoIssueViewDataItem",
    "PageSeoIssueViewDataItemDetails",
    "PageSiteView",
    "PageSiteViewDataItem",
    "PageSpeed",
    "PageVisitorRow",
    "PageVisitorRowDataItem",
    "PageVisitorRowDataItemTraits",
    "PageWebhookView",
    "PageWebhookViewDataItem",
    "PageWorkspaceView",
    "PageWorkspaceViewDataItem",
    "Pagination",
    "PaginationBody",
    "PartitionOffset",
    "Passes",
    "PasswordBody",
    "PaymentAnswer",
    "PaymentBody",
    "PaymentView",
    "PixelBody",
    "PixelBodyProperties",
    "PixelConfig",
    "PixelConfigAnswer",
    "PixelFeatures",
    "PreviousFields",
    "Progress",
    "Project",
    "ProjectionStatus",
    "PushAnswer",
    "PushBody",
    "PushPoint",
    "PushPointMetadata",
    "QueryAnswer",
    "QueryBody",
    "QueryBodyDateRange",
    "QueryBodyFiltersItem",
    "QueryBodyOrderByItem",
    "QueryEcho",
    "QueryEchoFiltersItem",
    "QueryEchoOrderByItem",
    "QueryMeta",
    "QueryRow",
    "QueryRowMetricsItem",
    "Range",
    "Readiness",
    "ReadinessChecks",
    "Realtime",
    "RealtimeRow",
    "RebuildStarted",
    "RebuildView",
    "RecentChange",
    "RefusedDomain",
    "RemoteDetails",
    "RemoteServerBody",
    "RemoteServerView",
    "RemoteServerViewToolsItem",
    "ReportBody",
    "ReportBodyScoresType0",
    "ReportView",
    "ReportViewScores",
    "ResetConfirmBody",
    "ResetRequestBody",
    "ResetRequested",
    "Revenue",
    "RoleBody",
    "RotateBody",
    "RotateKeyBody",
    "SavedFunnelView",
    "ScanBody",
    "ScanEnvelope",
    "ScanError",
    "ScanMeta",
    "ScanPage",
    "ScanQueued",
    "ScanSummary",
    "ScanView",
    "ScanViewOptions",
    "SecondFactorSetup",
    "SeoIssueEventView",
    "SeoIssueView",
    "SeoIssueViewDetails",
    "SeoReportView",
    "SeoReportViewScores",
    "SeoSection",
    "SeoSectionIssuesItem",
    "SeoSectionScores",
    "SeriesBody",
    "SeriesPoint",
    "SeriesRow",
    "SeriesView",
    "ServerBody",
    "ServerList",
    "ServerView",
    "SettingsBody",
    "SignedIn",
    "SiteView",
    "SpeedScores",
    "StatsAnswerFunnel",
    "StatsAnswerFunnelData",
    "StatsAnswerMetrics",
    "StatsAnswerMetricsData",
    "StatsAnswerMetricsDataAverageOrderValueType0",
    "StatsAnswerMetricsDataRevenueType0",
    "StatsAnswerVecBreakdownRow",
    "StatsAnswerVecBreakdownRowDataItem",
    "StatsAnswerVecSeriesRow",
    "StatsAnswerVecSeriesRowDataItem",
    "StatsMeta",
    "StatusShare",
    "SubscriptionView",
    "Success",
    "Summary",
    "SummaryBody",
    "SummaryRow",
    "SummaryRowConfig",
    "Swept",
    "ToolList",
    "ToolListDataItem",
    "Tracked",
    "UpdateBody",
    "UpdateDomainBody",
    "UpdateFunnelBody",
    "UpdateSiteBody",
    "UpdateWorkspaceBody",
    "UsageBody",
    "UsageBodyMetadata",
    "UsageRecordBody",
    "UsageRecordView",
    "UserView",
    "VerificationSent",
    "VisitorProfile",
    "VisitorProfileLifetimeRevenue",
    "VisitorProfileTraits",
    "VisitorRow",
    "VisitorRowTraits",
    "WebhookAnswer",
    "WebhookBody",
    "WebhookView",
    "WebhookWritten",
    "WhoisAnswer",
    "WhoisAnswerIpGeolocation",
    "WidgetData",
    "WidgetPoint",
    "WorkspaceSettingsView",
    "WorkspaceView",
)
