// warden-train: fits and measures the learned classifiers (see --help and
// policies/models/README.md).
#include <iostream>
#include <string>
#include <vector>

#include "train/evaluator.h"
#include "train/train_options.h"
#include "train/trainer.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = warden::tools::parseTrainOptions(args);
  if (!options) {
    std::cerr << "warden-train: " << options.error().message << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << warden::tools::trainUsage();
    return 0;
  }
  const warden::Status status = options->evaluate.empty() ? warden::tools::train(*options, std::cout)
                                                          : warden::tools::evaluate(*options, std::cout);
  if (!status) {
    std::cerr << "warden-train: " << status.error().message << "\n";
    return 1;
  }
  return 0;
}
