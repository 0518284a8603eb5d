@main struct UrbanGridCommand { static func main() {} }
