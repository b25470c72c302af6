// The `audit:` and `metrics:` sections of warden.yaml.
#pragma once

#include "app/config.h"
#include "app/config_reader.h"

namespace warden::app {

void readAuditSection(config_reading::Reader& r, const config_reading::Entry* e, AuditConfig& out);
void readMetricsSection(config_reading::Reader& r, const config_reading::Entry* e, MetricsConfig& out);

}  // namespace warden::app
