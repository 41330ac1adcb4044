/* kafka_names.c - Kafka API keys (names, versions, flexible versions) and error codes, as the protocol guide spells them. */
#include <stddef.h>

#include "tcpnote/kafka_names.h"

/*
 * One row per API key, in key order: the name as the Apache Kafka protocol guide
 * ("Api Keys") writes it, the newest version (Apache Kafka up to 4.1; older versions
 * that 4.0 stopped accepting stay valid, since older brokers and clients still send
 * them), and the first flexible version (KIP-482), -1 for an API that has none.
 * Sources: the protocol guide and the message definitions
 * (clients/src/main/resources/common/message/NAMERequest.json, "validVersions" and
 * "flexibleVersions"). Key 74 is ListConfigResources since 4.1 (ListClientMetricsResources before).
 */
struct kafka_api_row {
	const char *name;
	int8_t max;
	int8_t flexible;
};

static const struct kafka_api_row kafka_apis[] = {
	{"Produce", 13, 9}, /* 0 */
	{"Fetch", 18, 12}, /* 1 */
	{"ListOffsets", 11, 6}, /* 2 */
	{"Metadata", 13, 9}, /* 3 */
	{"LeaderAndIsr", 7, 4}, /* 4 */
	{"StopReplica", 4, 2}, /* 5 */
	{"UpdateMetadata", 8, 6}, /* 6 */
	{"ControlledShutdown", 3, 3}, /* 7 */
	{"OffsetCommit", 10, 8}, /* 8 */
	{"OffsetFetch", 10, 6}, /* 9 */
	{"FindCoordinator", 6, 3}, /* 10 */
	{"JoinGroup", 9, 6}, /* 11 */
	{"Heartbeat", 4, 4}, /* 12 */
	{"LeaveGroup", 5, 4}, /* 13 */
	{"SyncGroup", 5, 4}, /* 14 */
	{"DescribeGroups", 6, 5}, /* 15 */
	{"ListGroups", 5, 3}, /* 16 */
	{"SaslHandshake", 1, -1}, /* 17 */
	{"ApiVersions", 4, 3}, /* 18 */
	{"CreateTopics", 7, 5}, /* 19 */
	{"DeleteTopics", 6, 4}, /* 20 */
	{"DeleteRecords", 2, 2}, /* 21 */
	{"InitProducerId", 6, 2}, /* 22 */
	{"OffsetForLeaderEpoch", 4, 4}, /* 23 */
	{"AddPartitionsToTxn", 5, 3}, /* 24 */
	{"AddOffsetsToTxn", 4, 3}, /* 25 */
	{"EndTxn", 5, 3}, /* 26 */
	{"WriteTxnMarkers", 2, 1}, /* 27 */
	{"TxnOffsetCommit", 5, 3}, /* 28 */
	{"DescribeAcls", 3, 2}, /* 29 */
	{"CreateAcls", 3, 2}, /* 30 */
	{"DeleteAcls", 3, 2}, /* 31 */
	{"DescribeConfigs", 4, 4}, /* 32 */
	{"AlterConfigs", 2, 2}, /* 33 */
	{"AlterReplicaLogDirs", 2, 2}, /* 34 */
	{"DescribeLogDirs", 5, 2}, /* 35 */
	{"SaslAuthenticate", 2, 2}, /* 36 */
	{"CreatePartitions", 3, 2}, /* 37 */
	{"CreateDelegationToken", 3, 2}, /* 38 */
	{"RenewDelegationToken", 2, 2}, /* 39 */
	{"ExpireDelegationToken", 2, 2}, /* 40 */
	{"DescribeDelegationToken", 3, 2}, /* 41 */
	{"DeleteGroups", 2, 2}, /* 42 */
	{"ElectLeaders", 2, 2}, /* 43 */
	{"IncrementalAlterConfigs", 1, 1}, /* 44 */
	{"AlterPartitionReassignments", 1, 0}, /* 45 */
	{"ListPartitionReassignments", 0, 0}, /* 46 */
	{"OffsetDelete", 0, -1}, /* 47 */
	{"DescribeClientQuotas", 1, 1}, /* 48 */
	{"AlterClientQuotas", 1, 1}, /* 49 */
	{"DescribeUserScramCredentials", 0, 0}, /* 50 */
	{"AlterUserScramCredentials", 0, 0}, /* 51 */
	{"Vote", 2, 0}, /* 52 */
	{"BeginQuorumEpoch", 1, 1}, /* 53 */
	{"EndQuorumEpoch", 1, 1}, /* 54 */
	{"DescribeQuorum", 2, 0}, /* 55 */
	{"AlterPartition", 3, 0}, /* 56 */
	{"UpdateFeatures", 2, 0}, /* 57 */
	{"Envelope", 0, 0}, /* 58 */
	{"FetchSnapshot", 1, 0}, /* 59 */
	{"DescribeCluster", 2, 0}, /* 60 */
	{"DescribeProducers", 0, 0}, /* 61 */
	{"BrokerRegistration", 4, 0}, /* 62 */
	{"BrokerHeartbeat", 1, 0}, /* 63 */
	{"UnregisterBroker", 0, 0}, /* 64 */
	{"DescribeTransactions", 0, 0}, /* 65 */
	{"ListTransactions", 2, 0}, /* 66 */
	{"AllocateProducerIds", 0, 0}, /* 67 */
	{"ConsumerGroupHeartbeat", 1, 0}, /* 68 */
	{"ConsumerGroupDescribe", 1, 0}, /* 69 */
	{"ControllerRegistration", 0, 0}, /* 70 */
	{"GetTelemetrySubscriptions", 0, 0}, /* 71 */
	{"PushTelemetry", 0, 0}, /* 72 */
	{"AssignReplicasToDirs", 0, 0}, /* 73 */
	{"ListConfigResources", 1, 0}, /* 74 */
	{"DescribeTopicPartitions", 0, 0}, /* 75 */
	{"ShareGroupHeartbeat", 1, 0}, /* 76 */
	{"ShareGroupDescribe", 1, 0}, /* 77 */
	{"ShareFetch", 2, 0}, /* 78 */
	{"ShareAcknowledge", 2, 0}, /* 79 */
	{"AddRaftVoter", 1, 0}, /* 80 */
	{"RemoveRaftVoter", 0, 0}, /* 81 */
	{"UpdateRaftVoter", 0, 0}, /* 82 */
	{"InitializeShareGroupState", 0, 0}, /* 83 */
	{"ReadShareGroupState", 0, 0}, /* 84 */
	{"WriteShareGroupState", 1, 0}, /* 85 */
	{"DeleteShareGroupState", 0, 0}, /* 86 */
	{"ReadShareGroupStateSummary", 1, 0}, /* 87 */
	{"StreamsGroupHeartbeat", 0, 0}, /* 88 */
	{"StreamsGroupDescribe", 0, 0}, /* 89 */
	{"DescribeShareGroupOffsets", 1, 0}, /* 90 */
	{"AlterShareGroupOffsets", 0, 0}, /* 91 */
	{"DeleteShareGroupOffsets", 0, 0}, /* 92 */
};

#define KAFKA_N_APIS ((int)(sizeof(kafka_apis) / sizeof(kafka_apis[0])))

/* How far past its newest version an ApiVersions request is still taken for Kafka. */
#define KAFKA_API_VERSIONS_SLACK 4

const char *kafka_api_name(int16_t key)
{
	return key >= 0 && key < KAFKA_N_APIS ? kafka_apis[key].name : NULL;
}

bool kafka_api_valid(int16_t key, int16_t version)
{
	int max;

	if (key < 0 || key >= KAFKA_N_APIS || version < 0)
		return false;
	max = kafka_apis[key].max;
	if (key == KAFKA_API_VERSIONS)
		max += KAFKA_API_VERSIONS_SLACK;
	return version <= max;
}

bool kafka_api_flexible(int16_t key, int16_t version)
{
	if (key < 0 || key >= KAFKA_N_APIS || kafka_apis[key].flexible < 0)
		return false;
	return version >= kafka_apis[key].flexible;
}

bool kafka_response_header_flexible(int16_t key, int16_t version)
{
	/*
	 * ApiVersions answers with response header v0 at every version, so that a client
	 * can read the answer to a version the broker does not know (KIP-511).
	 */
	return key != KAFKA_API_VERSIONS && kafka_api_flexible(key, version);
}

/* Error codes -1..129, indexed by code + 1 (Apache Kafka's Errors.java and the guide's "Error Codes"). */
static const char *const kafka_errors[] = {
	"UNKNOWN_SERVER_ERROR", /* -1 */
	"NONE", /* 0 */
	"OFFSET_OUT_OF_RANGE", /* 1 */
	"CORRUPT_MESSAGE", /* 2 */
	"UNKNOWN_TOPIC_OR_PARTITION", /* 3 */
	"INVALID_FETCH_SIZE", /* 4 */
	"LEADER_NOT_AVAILABLE", /* 5 */
	"NOT_LEADER_OR_FOLLOWER", /* 6 */
	"REQUEST_TIMED_OUT", /* 7 */
	"BROKER_NOT_AVAILABLE", /* 8 */
	"REPLICA_NOT_AVAILABLE", /* 9 */
	"MESSAGE_TOO_LARGE", /* 10 */
	"STALE_CONTROLLER_EPOCH", /* 11 */
	"OFFSET_METADATA_TOO_LARGE", /* 12 */
	"NETWORK_EXCEPTION", /* 13 */
	"COORDINATOR_LOAD_IN_PROGRESS", /* 14 */
	"COORDINATOR_NOT_AVAILABLE", /* 15 */
	"NOT_COORDINATOR", /* 16 */
	"INVALID_TOPIC_EXCEPTION", /* 17 */
	"RECORD_LIST_TOO_LARGE", /* 18 */
	"NOT_ENOUGH_REPLICAS", /* 19 */
	"NOT_ENOUGH_REPLICAS_AFTER_APPEND", /* 20 */
	"INVALID_REQUIRED_ACKS", /* 21 */
	"ILLEGAL_GENERATION", /* 22 */
	"INCONSISTENT_GROUP_PROTOCOL", /* 23 */
	"INVALID_GROUP_ID", /* 24 */
	"UNKNOWN_MEMBER_ID", /* 25 */
	"INVALID_SESSION_TIMEOUT", /* 26 */
	"REBALANCE_IN_PROGRESS", /* 27 */
	"INVALID_COMMIT_OFFSET_SIZE", /* 28 */
	"TOPIC_AUTHORIZATION_FAILED", /* 29 */
	"GROUP_AUTHORIZATION_FAILED", /* 30 */
	"CLUSTER_AUTHORIZATION_FAILED", /* 31 */
	"INVALID_TIMESTAMP", /* 32 */
	"UNSUPPORTED_SASL_MECHANISM", /* 33 */
	"ILLEGAL_SASL_STATE", /* 34 */
	"UNSUPPORTED_VERSION", /* 35 */
	"TOPIC_ALREADY_EXISTS", /* 36 */
	"INVALID_PARTITIONS", /* 37 */
	"INVALID_REPLICATION_FACTOR", /* 38 */
	"INVALID_REPLICA_ASSIGNMENT", /* 39 */
	"INVALID_CONFIG", /* 40 */
	"NOT_CONTROLLER", /* 41 */
	"INVALID_REQUEST", /* 42 */
	"UNSUPPORTED_FOR_MESSAGE_FORMAT", /* 43 */
	"POLICY_VIOLATION", /* 44 */
	"OUT_OF_ORDER_SEQUENCE_NUMBER", /* 45 */
	"DUPLICATE_SEQUENCE_NUMBER", /* 46 */
	"INVALID_PRODUCER_EPOCH", /* 47 */
	"INVALID_TXN_STATE", /* 48 */
	"INVALID_PRODUCER_ID_MAPPING", /* 49 */
	"INVALID_TRANSACTION_TIMEOUT", /* 50 */
	"CONCURRENT_TRANSACTIONS", /* 51 */
	"TRANSACTION_COORDINATOR_FENCED", /* 52 */
	"TRANSACTIONAL_ID_AUTHORIZATION_FAILED", /* 53 */
	"SECURITY_DISABLED", /* 54 */
	"OPERATION_NOT_ATTEMPTED", /* 55 */
	"KAFKA_STORAGE_ERROR", /* 56 */
	"LOG_DIR_NOT_FOUND", /* 57 */
	"SASL_AUTHENTICATION_FAILED", /* 58 */
	"UNKNOWN_PRODUCER_ID", /* 59 */
	"REASSIGNMENT_IN_PROGRESS", /* 60 */
	"DELEGATION_TOKEN_AUTH_DISABLED", /* 61 */
	"DELEGATION_TOKEN_NOT_FOUND", /* 62 */
	"DELEGATION_TOKEN_OWNER_MISMATCH", /* 63 */
	"DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", /* 64 */
	"DELEGATION_TOKEN_AUTHORIZATION_FAILED", /* 65 */
	"DELEGATION_TOKEN_EXPIRED", /* 66 */
	"INVALID_PRINCIPAL_TYPE", /* 67 */
	"NON_EMPTY_GROUP", /* 68 */
	"GROUP_ID_NOT_FOUND", /* 69 */
	"FETCH_SESSION_ID_NOT_FOUND", /* 70 */
	"INVALID_FETCH_SESSION_EPOCH", /* 71 */
	"LISTENER_NOT_FOUND", /* 72 */
	"TOPIC_DELETION_DISABLED", /* 73 */
	"FENCED_LEADER_EPOCH", /* 74 */
	"UNKNOWN_LEADER_EPOCH", /* 75 */
	"UNSUPPORTED_COMPRESSION_TYPE", /* 76 */
	"STALE_BROKER_EPOCH", /* 77 */
	"OFFSET_NOT_AVAILABLE", /* 78 */
	"MEMBER_ID_REQUIRED", /* 79 */
	"PREFERRED_LEADER_NOT_AVAILABLE", /* 80 */
	"GROUP_MAX_SIZE_REACHED", /* 81 */
	"FENCED_INSTANCE_ID", /* 82 */
	"ELIGIBLE_LEADERS_NOT_AVAILABLE", /* 83 */
	"ELECTION_NOT_NEEDED", /* 84 */
	"NO_REASSIGNMENT_IN_PROGRESS", /* 85 */
	"GROUP_SUBSCRIBED_TO_TOPIC", /* 86 */
	"INVALID_RECORD", /* 87 */
	"UNSTABLE_OFFSET_COMMIT", /* 88 */
	"THROTTLING_QUOTA_EXCEEDED", /* 89 */
	"PRODUCER_FENCED", /* 90 */
	"RESOURCE_NOT_FOUND", /* 91 */
	"DUPLICATE_RESOURCE", /* 92 */
	"UNACCEPTABLE_CREDENTIAL", /* 93 */
	"INCONSISTENT_VOTER_SET", /* 94 */
	"INVALID_UPDATE_VERSION", /* 95 */
	"FEATURE_UPDATE_FAILED", /* 96 */
	"PRINCIPAL_DESERIALIZATION_FAILURE", /* 97 */
	"SNAPSHOT_NOT_FOUND", /* 98 */
	"POSITION_OUT_OF_RANGE", /* 99 */
	"UNKNOWN_TOPIC_ID", /* 100 */
	"DUPLICATE_BROKER_REGISTRATION", /* 101 */
	"BROKER_ID_NOT_REGISTERED", /* 102 */
	"INCONSISTENT_TOPIC_ID", /* 103 */
	"INCONSISTENT_CLUSTER_ID", /* 104 */
	"TRANSACTIONAL_ID_NOT_FOUND", /* 105 */
	"FETCH_SESSION_TOPIC_ID_ERROR", /* 106 */
	"INELIGIBLE_REPLICA", /* 107 */
	"NEW_LEADER_ELECTED", /* 108 */
	"OFFSET_MOVED_TO_TIERED_STORAGE", /* 109 */
	"FENCED_MEMBER_EPOCH", /* 110 */
	"UNRELEASED_INSTANCE_ID", /* 111 */
	"UNSUPPORTED_ASSIGNOR", /* 112 */
	"STALE_MEMBER_EPOCH", /* 113 */
	"MISMATCHED_ENDPOINT_TYPE", /* 114 */
	"UNSUPPORTED_ENDPOINT_TYPE", /* 115 */
	"UNKNOWN_CONTROLLER_ID", /* 116 */
	"UNKNOWN_SUBSCRIPTION_ID", /* 117 */
	"TELEMETRY_TOO_LARGE", /* 118 */
	"INVALID_REGISTRATION", /* 119 */
	"TRANSACTION_ABORTABLE", /* 120 */
	"INVALID_RECORD_STATE", /* 121 */
	"SHARE_SESSION_NOT_FOUND", /* 122 */
	"INVALID_SHARE_SESSION_EPOCH", /* 123 */
	"FENCED_STATE_EPOCH", /* 124 */
	"INVALID_VOTER_KEY", /* 125 */
	"DUPLICATE_VOTER", /* 126 */
	"VOTER_NOT_FOUND", /* 127 */
	"INVALID_REGULAR_EXPRESSION", /* 128 */
	"REBOOTSTRAP_REQUIRED", /* 129 */
};

const char *kafka_error_name(int16_t code)
{
	int i = code + 1;

	if (i < 0 || i >= (int)(sizeof(kafka_errors) / sizeof(kafka_errors[0])))
		return NULL;
	return kafka_errors[i];
}
